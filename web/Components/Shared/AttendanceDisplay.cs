using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using Microsoft.Extensions.Localization;

namespace HrmsAttendance.Web.Components.Shared;

/// <summary>How results, flags and punches read on the pages (texts from the resources, times in Asia/Shanghai).</summary>
public static class AttendanceDisplay
{
    public static string StatusClass(DailyStatus status) => status switch
    {
        DailyStatus.Present => "status-present",
        DailyStatus.Absent => "status-absent",
        DailyStatus.Exception => "status-exception",
        _ => "status-none",
    };

    public static string StatusText(IStringLocalizer localizer, DailyStatus status) => localizer["Status." + status].Value;

    public static string FlagText(IStringLocalizer localizer, DailyFlag flag) => localizer["Flag." + flag].Value;

    public static string PunchTypeText(IStringLocalizer localizer, PunchType type) => localizer["PunchType." + type].Value;

    public static string SourceText(IStringLocalizer localizer, SourceProvider source) => localizer["Source." + source].Value;

    /// <summary>HH:mm in Asia/Shanghai, or "–".</summary>
    public static string LocalTime(Timestamp? instant) =>
        instant is null ? "–" : TimeZoneInfo.ConvertTime(instant.ToDateTimeOffset(), WorkCalendar.Zone).ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>yyyy-MM-dd HH:mm in Asia/Shanghai, or "–".</summary>
    public static string LocalDateTime(Timestamp? instant) =>
        instant is null ? "–" : TimeZoneInfo.ConvertTime(instant.ToDateTimeOffset(), WorkCalendar.Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Minutes as "7h 05m" (the unit letters from the resources).</summary>
    public static string Minutes(IStringLocalizer localizer, int minutes) =>
        string.Format(CultureInfo.CurrentCulture, localizer["MinutesFormat"].Value, minutes / 60, minutes % 60);

    public static string IsoDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

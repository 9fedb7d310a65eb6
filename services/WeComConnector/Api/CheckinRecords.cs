using System.Globalization;
using System.Text.Json;
using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Pipeline;
using HrmsAttendance.Contracts.Ledger.V1;

namespace HrmsAttendance.WeComConnector.Api;

/// <summary>What one getcheckindata answer held: the punches, the 未打卡 rows (no punch happened), and rows that could not be read.</summary>
public sealed record ParsedCheckins(IReadOnlyList<ExternalPunch> Punches, int NoPunchRows, IReadOnlyList<string> Unreadable);

/// <summary>
/// WeCom check-in records → punches. Only the user id and <c>checkin_time</c> (Unix seconds) are trusted; the record
/// is kept whole as the payload (its <c>exception_type</c>, location and schedule fields are WeCom's verdicts, kept for
/// audit and never used). <c>checkin_type</c> 上班打卡 is IN and 下班打卡 OUT (the employee chose it); 外出打卡 (field
/// work) and anything else is RAW. A record whose exception_type names 未打卡 is WeCom saying a punch is missing: not a
/// punch. WeCom gives records no id: the source event id is (userid, checkin_time, checkin_type).
/// </summary>
public static class CheckinRecords
{
    public const string ClockIn = "上班打卡";
    public const string ClockOut = "下班打卡";
    public const string NoPunch = "未打卡";

    public static ParsedCheckins Parse(IEnumerable<JsonElement> records)
    {
        var punches = new List<ExternalPunch>();
        var noPunch = 0;
        var unreadable = new List<string>();
        foreach (var record in records)
        {
            if (record.ValueKind != JsonValueKind.Object) { unreadable.Add("a record that is not an object"); continue; }
            if (Text(record, "exception_type") is { } exception && exception.Contains(NoPunch, StringComparison.Ordinal)) { noPunch++; continue; }
            var userId = Text(record, "userid");
            var checkinType = Text(record, "checkin_type") ?? "";
            if (string.IsNullOrEmpty(userId) || userId.Length > 128 || userId.Any(char.IsControl))
            {
                unreadable.Add("a record without a usable userid");
                continue;
            }
            if (Seconds(record, "checkin_time") is not { } seconds || seconds <= 0)
            {
                unreadable.Add($"a record of {userId} without a usable checkin_time");
                continue;
            }
            var type = checkinType switch
            {
                ClockIn => PunchType.In,
                ClockOut => PunchType.Out,
                _ => PunchType.Raw,
            };
            punches.Add(new ExternalPunch(userId, SourceEventId(userId, seconds, checkinType),
                DateTimeOffset.FromUnixTimeSeconds(seconds), type, record.GetRawText()));
        }
        return new ParsedCheckins(punches, noPunch, unreadable);
    }

    /// <summary>(userid, checkin_time, checkin_type): the same record in two overlapping windows has the same id.</summary>
    public static string SourceEventId(string userId, long checkinTime, string checkinType) =>
        ConnectorProvider.SourceEventIdOf($"{userId}:{checkinTime.ToString(CultureInfo.InvariantCulture)}:{checkinType}");

    private static string? Text(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Seconds(JsonElement record, string name)
    {
        if (!record.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)) return n;
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s)) return s;
        return null;
    }
}

using System.Text.Json;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.WeComConnector.Api;

namespace HrmsAttendance.Connectors.Tests;

/// <summary>WeCom check-in records → punches (services/WeComConnector/Api/CheckinRecords.cs).</summary>
public sealed class WeComRecordTests
{
    private static IReadOnlyList<JsonElement> Records(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();

    [Fact]
    public void Clock_in_and_out_are_IN_and_OUT_field_work_is_RAW_and_the_record_is_kept_whole()
    {
        var parsed = CheckinRecords.Parse(Records("""
            [{"userid":"james","checkin_type":"上班打卡","exception_type":"地点异常","checkin_time":1492617610,"location_title":"依澜府"},
             {"userid":"james","checkin_type":"下班打卡","exception_type":"","checkin_time":1492650000},
             {"userid":"paul","checkin_type":"外出打卡","exception_type":"","checkin_time":"1492620000"}]
            """));

        Assert.Equal([PunchType.In, PunchType.Out, PunchType.Raw], parsed.Punches.Select(p => p.Type));
        var first = parsed.Punches[0];
        Assert.Equal("james", first.ExternalUserId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1492617610), first.PunchTime);
        Assert.Equal("james:1492617610:上班打卡", first.SourceEventId);
        using var payload = JsonDocument.Parse(first.PayloadJson);
        Assert.Equal("地点异常", payload.RootElement.GetProperty("exception_type").GetString());
        Assert.Equal("依澜府", payload.RootElement.GetProperty("location_title").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1492620000), parsed.Punches[2].PunchTime); // a string time is read too
        Assert.Equal(0, parsed.NoPunchRows);
        Assert.Empty(parsed.Unreadable);
    }

    [Fact]
    public void A_no_punch_row_is_not_a_punch_even_among_other_exceptions()
    {
        var parsed = CheckinRecords.Parse(Records("""
            [{"userid":"a","checkin_type":"上班打卡","exception_type":"未打卡","checkin_time":1492617600},
             {"userid":"a","checkin_type":"下班打卡","exception_type":"时间异常;未打卡","checkin_time":1492650000},
             {"userid":"a","checkin_type":"下班打卡","exception_type":"时间异常","checkin_time":1492650001}]
            """));

        Assert.Equal(2, parsed.NoPunchRows);
        Assert.Equal(1492650001, Assert.Single(parsed.Punches).PunchTime.ToUnixTimeSeconds());
    }

    [Fact]
    public void The_same_record_read_in_two_windows_has_the_same_source_event_id_and_kinds_differ()
    {
        const string record = """[{"userid":"u","checkin_type":"上班打卡","checkin_time":1700000000}]""";
        Assert.Equal(CheckinRecords.Parse(Records(record)).Punches[0].SourceEventId, CheckinRecords.Parse(Records(record)).Punches[0].SourceEventId);
        Assert.NotEqual(CheckinRecords.SourceEventId("u", 1700000000, "上班打卡"), CheckinRecords.SourceEventId("u", 1700000000, "外出打卡"));
        Assert.NotEqual(CheckinRecords.SourceEventId("u", 1700000000, "上班打卡"), CheckinRecords.SourceEventId("u", 1700000001, "上班打卡"));
    }

    [Fact]
    public void Unreadable_rows_are_reported_and_left_out()
    {
        var parsed = CheckinRecords.Parse(Records("""
            [{"checkin_type":"上班打卡","checkin_time":1492617600},
             {"userid":"","checkin_time":1492617600},
             {"userid":"b","checkin_type":"上班打卡"},
             {"userid":"b","checkin_type":"上班打卡","checkin_time":-5},
             "not an object",
             {"userid":"b","checkin_type":"上班打卡","checkin_time":1492617600}]
            """));

        Assert.Equal(5, parsed.Unreadable.Count);
        Assert.Equal("b", Assert.Single(parsed.Punches).ExternalUserId);
    }
}

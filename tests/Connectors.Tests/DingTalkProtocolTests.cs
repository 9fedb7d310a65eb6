using System.Text.Json;
using HrmsAttendance.Connectors;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.DingTalkConnector.Stream;
using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.Connectors.Tests;

/// <summary>The Stream-mode frames, the attendance event's records, the reconnect back-off and the secret protection.</summary>
public sealed class DingTalkProtocolTests
{
    private static DownFrame Event(string data, string eventId = "evt-1") => StreamFrames.Parse(JsonSerializer.Serialize(new
    {
        specVersion = "1.0",
        type = "EVENT",
        headers = new { messageId = "msg-1", eventId, eventType = "attendance_check_record", eventCorpId = "dingcorp", eventBornTime = "1772413320000", topic = "*", contentType = "application/json" },
        data,
    }))!;

    [Fact]
    public void A_ping_is_answered_with_code_200_its_message_id_and_its_data()
    {
        var ping = StreamFrames.Parse("""{"specVersion":"1.0","type":"SYSTEM","headers":{"messageId":"m-9","topic":"ping","contentType":"application/json"},"data":"{\"opaque\":\"x1\"}"}""")!;
        using var pong = JsonDocument.Parse(StreamFrames.Pong(ping));
        Assert.Equal(200, pong.RootElement.GetProperty("code").GetInt32());
        Assert.Equal("m-9", pong.RootElement.GetProperty("headers").GetProperty("messageId").GetString());
        Assert.Equal("application/json", pong.RootElement.GetProperty("headers").GetProperty("contentType").GetString());
        Assert.Equal("{\"opaque\":\"x1\"}", pong.RootElement.GetProperty("data").GetString());
    }

    [Theory]
    [InlineData("SUCCESS")]
    [InlineData("LATER")]
    public void An_event_is_acknowledged_with_its_status_as_a_JSON_string_in_data(string status)
    {
        using var ack = JsonDocument.Parse(StreamFrames.EventAck(Event("{}"), status));
        Assert.Equal("msg-1", ack.RootElement.GetProperty("headers").GetProperty("messageId").GetString());
        using var data = JsonDocument.Parse(ack.RootElement.GetProperty("data").GetString()!);
        Assert.Equal(status, data.RootElement.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"headers":{}}""")]
    public void Text_that_is_not_a_frame_is_not_read_as_one(string text) => Assert.Null(StreamFrames.Parse(text));

    [Fact]
    public void Check_records_are_read_whatever_the_casing_of_their_fields_and_kept_raw()
    {
        var (punches, unreadable) = AttendanceCheckRecords.Parse(Event("""
            {"DataList":[
              {"userId":"u1","checkTime":1772413320000,"bizId":"b-1","timeResult":"Late"},
              {"UserID":"u2","CheckTime":"1772413380000","recordId":"r-2"},
              {"userid":"u3","userCheckTime":1772413440000}
            ]}
            """));
        Assert.Empty(unreadable);
        Assert.Equal(["u1", "u2", "u3"], punches.Select(p => p.ExternalUserId));
        Assert.Equal(["b-1", "r-2", "u3:1772413440000"], punches.Select(p => p.SourceEventId));
        Assert.All(punches, p => Assert.Equal(PunchType.Raw, p.Type));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1772413380000), punches[1].PunchTime);
        using var payload = JsonDocument.Parse(punches[0].PayloadJson);
        Assert.Equal("Late", payload.RootElement.GetProperty("record").GetProperty("timeResult").GetString());
        Assert.Equal("evt-1", payload.RootElement.GetProperty("event").GetProperty("eventId").GetString());
    }

    [Fact]
    public void A_single_record_or_a_bare_list_is_read_too()
    {
        Assert.Single(AttendanceCheckRecords.Parse(Event("""{"userId":"u1","checkTime":1772413320000}""")).Punches);
        Assert.Equal(2, AttendanceCheckRecords.Parse(Event("""[{"userId":"u1","checkTime":1},{"userId":"u2","checkTime":2}]""")).Punches.Count);
    }

    [Fact]
    public void Records_without_a_user_or_a_time_are_reported_not_guessed()
    {
        var (punches, unreadable) = AttendanceCheckRecords.Parse(Event("""
            {"dataList":[{"checkTime":1772413320000},{"userId":"u1"},{"userId":"u1","checkTime":"soon"},{"userId":"x\u0001","checkTime":1},
                         {"userId":"ok","checkTime":1772413320000}]}
            """));
        Assert.Equal("ok", Assert.Single(punches).ExternalUserId);
        Assert.Equal(4, unreadable.Count);
        Assert.Single(AttendanceCheckRecords.Parse(Event("not json")).Unreadable);
        Assert.Single(AttendanceCheckRecords.Parse(Event("""{"dataList":[]}""")).Unreadable);
    }

    [Fact]
    public void The_same_record_redelivered_gets_the_same_source_event_id_and_request_id()
    {
        var data = """{"dataList":[{"userId":"u1","checkTime":1772413320000}]}""";
        var first = AttendanceCheckRecords.Parse(Event(data, "evt-a")).Punches[0];
        var again = AttendanceCheckRecords.Parse(Event(data, "evt-b")).Punches[0];
        Assert.Equal(first.SourceEventId, again.SourceEventId);
        Assert.Equal(ConnectorProvider.DingTalk.RequestIdFor(first.SourceEventId), ConnectorProvider.DingTalk.RequestIdFor(again.SourceEventId));
        Assert.NotEqual(ConnectorProvider.DingTalk.RequestIdFor("x"), ConnectorProvider.WeCom.RequestIdFor("x"));
        var longId = new string('r', 300);
        Assert.True(ConnectorProvider.SourceEventIdOf(longId).Length <= ConnectorProvider.MaxIdLength);
        Assert.True(ConnectorProvider.DingTalk.RequestIdFor(new string('r', 200)).Length <= ConnectorProvider.MaxIdLength);
    }

    [Fact]
    public void Reconnect_delays_grow_from_one_second_to_sixty_with_jitter()
    {
        var min = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(60);
        var random = new Random(7);
        var delays = Enumerable.Range(0, 12).Select(f => ReconnectBackoff.Delay(f, min, max, random)).ToList();
        Assert.All(delays, d => Assert.InRange(d, min, max));
        Assert.InRange(delays[0], min, TimeSpan.FromSeconds(1.25));
        Assert.InRange(delays[3], TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(10)); // 8 s ± 25 %
        Assert.InRange(delays[11], TimeSpan.FromSeconds(45), max);
        var jittered = Enumerable.Range(0, 20).Select(_ => ReconnectBackoff.Delay(4, min, max, random)).Distinct().Count();
        Assert.True(jittered > 1, "the same failure count gives different delays");
    }

    [Fact]
    public void A_secret_is_encrypted_for_its_tenant_and_never_printed()
    {
        var protector = new SettingsProtector(new byte[32]);
        var tenant = Guid.NewGuid();
        var sealedSecret = protector.Protect(tenant, "app-secret-1");
        Assert.DoesNotContain("app-secret-1", System.Text.Encoding.UTF8.GetString(sealedSecret));
        Assert.Equal("app-secret-1", protector.Unprotect(tenant, sealedSecret));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => protector.Unprotect(Guid.NewGuid(), sealedSecret));
        Assert.NotEqual(sealedSecret, protector.Protect(tenant, "app-secret-1")); // a fresh nonce each time
    }

    [Fact]
    public void Without_a_settings_key_the_connector_does_not_start()
    {
        var empty = new ConfigurationBuilder().Build();
        var e = Assert.Throws<InvalidOperationException>(() => SettingsProtector.FromConfiguration(empty, "DingTalk"));
        Assert.Contains("DingTalk:SettingsKey", e.Message);
    }
}

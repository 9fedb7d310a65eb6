using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Pipeline;
using HrmsAttendance.Contracts.Ledger.V1;

namespace HrmsAttendance.DingTalkConnector.Stream;

/// <summary>
/// Reads the check records of an <c>attendance_check_record</c> event, tolerantly: the list under <c>dataList</c>
/// in any letter case (or the data itself as a list, or one record); per record the user id (<c>userId</c>,
/// <c>userid</c>, <c>staffId</c>), the time in epoch milliseconds (<c>checkTime</c> or <c>userCheckTime</c>, a number or
/// a numeric string) and the platform's record id (<c>recordId</c>, <c>id</c>, <c>bizId</c>; without one,
/// <c>&lt;userId&gt;:&lt;checkTime&gt;</c>, which a redelivery repeats). Every punch is RAW: DingTalk's check type and
/// <c>timeResult</c> are its own verdicts against its own schedule and are kept in the payload for audit only.
/// </summary>
public static class AttendanceCheckRecords
{
    public const int MaxUserIdLength = 128;

    /// <summary>The punches of the event, and the records that could not be read (with why).</summary>
    public static (IReadOnlyList<ExternalPunch> Punches, IReadOnlyList<string> Unreadable) Parse(DownFrame frame)
    {
        JsonNode? data;
        try { data = JsonNode.Parse(frame.Data); }
        catch (JsonException e) { return ([], [$"data is not JSON: {e.Message}"]); }

        var records = data switch
        {
            JsonArray list => list,
            JsonObject obj when Field(obj, "dataList") is JsonArray list => list,
            JsonObject obj => new JsonArray(obj.DeepClone()),
            _ => [],
        };
        var context = new JsonObject
        {
            ["eventId"] = frame.EventId,
            ["eventType"] = frame.EventType,
            ["eventCorpId"] = frame.EventCorpId,
            ["eventBornTime"] = frame.Header("eventBornTime"),
        };
        var punches = new List<ExternalPunch>();
        var unreadable = new List<string>();
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i] is not JsonObject record) { unreadable.Add($"record {i} is not an object"); continue; }
            var userId = Text(record, "userId") ?? Text(record, "staffId");
            var millis = Millis(record, "checkTime") ?? Millis(record, "userCheckTime");
            if (string.IsNullOrWhiteSpace(userId)) { unreadable.Add($"record {i} has no userId"); continue; }
            // identity-mapping's rule for an external user id; one that breaks it would make the whole resolve fail.
            if (userId.Length > MaxUserIdLength || userId.Any(char.IsControl)) { unreadable.Add($"record {i} has a userId that is not 1 to {MaxUserIdLength} printable characters"); continue; }
            if (millis is not { } ms || ms <= 0) { unreadable.Add($"record {i} has no checkTime in epoch milliseconds"); continue; }
            DateTimeOffset time;
            try { time = DateTimeOffset.FromUnixTimeMilliseconds(ms); }
            catch (ArgumentOutOfRangeException) { unreadable.Add($"record {i} has a checkTime out of range"); continue; }

            var recordId = Text(record, "recordId") ?? Text(record, "id") ?? Text(record, "bizId")
                ?? $"{userId}:{ms.ToString(CultureInfo.InvariantCulture)}";
            var payload = new JsonObject { ["event"] = context.DeepClone(), ["record"] = record.DeepClone() };
            punches.Add(new ExternalPunch(userId, ConnectorProvider.SourceEventIdOf(recordId), time, PunchType.Raw, payload.ToJsonString()));
        }
        if (records.Count == 0) unreadable.Add("the event carries no check records");
        return (punches, unreadable);
    }

    private static JsonNode? Field(JsonObject obj, string name)
    {
        foreach (var (key, value) in obj)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }

    private static string? Text(JsonObject obj, string name) => Field(obj, name) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Trim() is { Length: > 0 } s => s,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    private static long? Millis(JsonObject obj, string name) => Field(obj, name) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) => n,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d is > 0 and < 1e15 => (long)d,
        JsonValue v when v.GetValueKind() == JsonValueKind.String
            && long.TryParse(v.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HrmsAttendance.DingTalkConnector.Stream;

/// <summary>
/// The frames of DingTalk's Stream mode (open platform, "Stream 模式"): JSON text messages on the WebSocket.
/// Down (DingTalk → us): <c>{specVersion, type: SYSTEM|EVENT|CALLBACK, headers:{…}, data:"&lt;JSON string&gt;"}</c>.
/// Up (our answer to a frame): <c>{code, headers:{contentType, messageId}, message, data}</c>, with the frame's
/// messageId. An EVENT is answered with data <c>{"status":"SUCCESS"}</c> or <c>{"status":"LATER"}</c> (redeliver).
/// </summary>
public static class StreamFrames
{
    public const string System = "SYSTEM";
    public const string Event = "EVENT";
    public const string Callback = "CALLBACK";

    public const string PingTopic = "ping";
    public const string DisconnectTopic = "disconnect";

    public const string AckSuccess = "SUCCESS";
    public const string AckLater = "LATER";

    /// <summary>The attendance check event (a list of check records).</summary>
    public const string AttendanceCheckRecord = "attendance_check_record";

    /// <summary>Reads a down frame; null when the text is not a frame (no type, or not JSON).</summary>
    public static DownFrame? Parse(string text)
    {
        JsonObject? root;
        try { root = JsonNode.Parse(text) as JsonObject; }
        catch (JsonException) { return null; }
        if (root is null || root["type"]?.GetValueKind() != JsonValueKind.String) return null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (root["headers"] is JsonObject h)
            foreach (var (name, value) in h)
                if (value is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
                    headers[name] = v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString();
        var data = root["data"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            null => "",
            var other => other.ToJsonString(), // tolerated: data sent as an object instead of a JSON string
        };
        return new DownFrame(root["specVersion"]?.ToString() ?? "", root["type"]!.GetValue<string>(), headers, data);
    }

    /// <summary>The answer to a SYSTEM ping: code 200 and the ping's own data back.</summary>
    public static string Pong(DownFrame ping) => Answer(ping.MessageId, ping.Data);

    /// <summary>The answer to an EVENT: SUCCESS (stored durably) or LATER (redeliver).</summary>
    public static string EventAck(DownFrame frame, string status, string? message = null) =>
        Answer(frame.MessageId, JsonSerializer.Serialize(new EventAckData(status, message ?? ""), FrameJson.Default.EventAckData));

    private static string Answer(string messageId, string data) => JsonSerializer.Serialize(new UpFrame(
        200,
        new UpHeaders("application/json", messageId),
        "ok",
        data), FrameJson.Default.UpFrame);
}

/// <summary>A frame from DingTalk.</summary>
public sealed record DownFrame(string SpecVersion, string Type, IReadOnlyDictionary<string, string> Headers, string Data)
{
    public string MessageId => Header("messageId");
    public string Topic => Header("topic");
    public string EventType => Header("eventType");
    public string EventId => Header("eventId");
    public string EventCorpId => Header("eventCorpId");

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}

public sealed record UpFrame(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("headers")] UpHeaders Headers,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("data")] string Data);

public sealed record UpHeaders(
    [property: JsonPropertyName("contentType")] string ContentType,
    [property: JsonPropertyName("messageId")] string MessageId);

public sealed record EventAckData(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message);

[JsonSerializable(typeof(UpFrame))]
[JsonSerializable(typeof(EventAckData))]
internal sealed partial class FrameJson : JsonSerializerContext;

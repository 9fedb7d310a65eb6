using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Common.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Resource.V1;
using HrmsAttendance.AppHost.Dashboard.Traces;

namespace HrmsAttendance.AppHost.Dashboard.Otlp;

/// <summary>Turns OTLP's common values (ids, AnyValue, resources) into display text.</summary>
internal static class OtlpValues
{
    public const string UnknownService = "unknown_service";

    // Attribute values are untrusted and unbounded; a dashboard row has no use for megabytes.
    private const int MaxValueLength = 4_096;
    private const int MaxNestingDepth = 8;

    /// <returns>Lowercase hex, or null for an empty id.</returns>
    public static string? Id(ByteString id) => id.IsEmpty ? null : Convert.ToHexStringLower(id.Span);

    public static string ServiceName(Resource? resource)
    {
        var value = resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value;
        return value is { ValueCase: AnyValue.ValueOneofCase.StringValue, StringValue.Length: > 0 } ? value.StringValue : UnknownService;
    }

    public static IReadOnlyList<SpanAttribute> Attributes(RepeatedField<KeyValue>? attributes) =>
        attributes is null || attributes.Count == 0
            ? []
            : attributes.Select(a => new SpanAttribute(a.Key, Text(a.Value))).ToList();

    public static string Text(AnyValue? value) => Truncate(Text(value, depth: 0));

    private static string Text(AnyValue? value, int depth)
    {
        if (value is null) return "";
        if (depth > MaxNestingDepth) return "…";
        return value.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.ArrayValue =>
                "[" + string.Join(", ", value.ArrayValue.Values.Select(v => Text(v, depth + 1))) + "]",
            AnyValue.ValueOneofCase.KvlistValue =>
                "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{kv.Key}: {Text(kv.Value, depth + 1)}")) + "}",
            AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
            _ => "",
        };
    }

    private static string Truncate(string text) =>
        text.Length <= MaxValueLength ? text : string.Concat(text.AsSpan(0, MaxValueLength), "… (truncated)");
}

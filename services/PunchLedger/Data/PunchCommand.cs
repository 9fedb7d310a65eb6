using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Ledger.V1;

namespace HrmsAttendance.PunchLedger.Data;

/// <summary>A punch that passed validation, in the kernel's vocabulary.</summary>
public sealed record PunchCommand(
    Guid PersonUuid,
    DateTimeOffset PunchTime,
    string PunchType,
    string SourceProvider,
    string? SourceEventId,
    string RequestId,
    string PayloadJson)
{
    public const int MaxRequestIdLength = 200;
    public const int MaxSourceEventIdLength = 200;

    /// <summary>Punches further in the future than this are refused: a clock that far ahead is wrong.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromDays(1);
    public static readonly DateTimeOffset EarliestPunch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Validates a wire punch; the error names the first bad field.</summary>
    public static bool TryCreate(PunchInput? input, DateTimeOffset now, out PunchCommand command, out string error)
    {
        command = null!;
        error = Validate(input, now, out var person, out var time, out var type, out var provider, out var payload) ?? "";
        if (error.Length > 0) return false;
        command = new PunchCommand(person, time, type, provider,
            string.IsNullOrEmpty(input!.SourceEventId) ? null : input.SourceEventId, input.RequestId, payload);
        return true;
    }

    private static string? Validate(PunchInput? p, DateTimeOffset now, out Guid person, out DateTimeOffset time,
        out string type, out string provider, out string payload)
    {
        person = default; time = default; type = provider = payload = "";
        if (p is null) return "punch is required";
        if (!WireValues.TryParseCanonicalUuid(p.PersonUuid, out person) || person == Guid.Empty)
            return $"person_uuid must be a canonical UUID, got '{Shorten(p.PersonUuid)}'";
        if (p.PunchTime is null) return "punch_time is required";
        if (!WireValues.TryReadTimestamp(p.PunchTime, out time))
            return $"punch_time must be a Timestamp between 0001-01-01 and 9999-12-31 with nanos from 0 to 999999999, got seconds {p.PunchTime.Seconds}, nanos {p.PunchTime.Nanos}";
        if (time < EarliestPunch) return "punch_time is before 2000-01-01";
        if (time > now + MaxFutureSkew) return "punch_time is more than one day in the future";
        type = p.PunchType switch
        {
            Contracts.Ledger.V1.PunchType.In => "IN",
            Contracts.Ledger.V1.PunchType.Out => "OUT",
            Contracts.Ledger.V1.PunchType.Raw => "RAW",
            _ => "",
        };
        if (type.Length == 0) return "punch_type must be IN, OUT or RAW";
        provider = p.SourceProvider switch
        {
            Contracts.Ledger.V1.SourceProvider.Manual => "MANUAL",
            Contracts.Ledger.V1.SourceProvider.Import => "IMPORT",
            Contracts.Ledger.V1.SourceProvider.Dingtalk => "DINGTALK",
            Contracts.Ledger.V1.SourceProvider.Wecom => "WECOM",
            Contracts.Ledger.V1.SourceProvider.Correction => "CORRECTION",
            _ => "",
        };
        if (provider.Length == 0) return "source_provider must be MANUAL, IMPORT, DINGTALK, WECOM or CORRECTION";
        if (provider is "DINGTALK" or "WECOM" && string.IsNullOrEmpty(p.SourceEventId))
            return $"source_event_id is required for {provider} punches";
        if (p.SourceEventId.Length > MaxSourceEventIdLength) return $"source_event_id is longer than {MaxSourceEventIdLength} characters";
        if (WireValues.TextProblem(p.SourceEventId) is { } sourceEventIdProblem) return "source_event_id " + sourceEventIdProblem;
        if (string.IsNullOrWhiteSpace(p.RequestId)) return "request_id is required (the idempotency key of this punch)";
        if (p.RequestId.Length > MaxRequestIdLength) return $"request_id is longer than {MaxRequestIdLength} characters";
        if (WireValues.TextProblem(p.RequestId) is { } requestIdProblem) return "request_id " + requestIdProblem;
        payload = string.IsNullOrWhiteSpace(p.PayloadJson) ? "{}" : p.PayloadJson;
        return PunchPayload.Problem(payload) is { } payloadProblem ? "payload_json " + payloadProblem : null;
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

    public static Contracts.Ledger.V1.PunchType ToWire(string type) => type switch
    {
        "IN" => Contracts.Ledger.V1.PunchType.In,
        "OUT" => Contracts.Ledger.V1.PunchType.Out,
        "RAW" => Contracts.Ledger.V1.PunchType.Raw,
        _ => Contracts.Ledger.V1.PunchType.Unspecified,
    };

    public static Contracts.Ledger.V1.SourceProvider ProviderToWire(string provider) => provider switch
    {
        "MANUAL" => Contracts.Ledger.V1.SourceProvider.Manual,
        "IMPORT" => Contracts.Ledger.V1.SourceProvider.Import,
        "DINGTALK" => Contracts.Ledger.V1.SourceProvider.Dingtalk,
        "WECOM" => Contracts.Ledger.V1.SourceProvider.Wecom,
        "CORRECTION" => Contracts.Ledger.V1.SourceProvider.Correction,
        _ => Contracts.Ledger.V1.SourceProvider.Unspecified,
    };
}

using Grpc.Core;
using HrmsAttendance.Contracts.Ledger.V1;

namespace HrmsAttendance.AppHost.Tests.Distributed.Hostile;

/// <summary>One hostile request, where it went, and what must come back.</summary>
internal sealed record HostileCase(string Where, HostileRequest Request, Expectation Expect);

/// <summary>What an answer must be; <see cref="Problems"/> says how it is not.</summary>
internal abstract record Expectation
{
    /// <summary>What every answer to a hostile request must be: an answer (not a reset), no 5xx, no INTERNAL or UNKNOWN.</summary>
    public static IEnumerable<string> PropertyProblems(HostileAnswer answer)
    {
        if (answer.TransportFailure is not null) yield return "no answer: " + answer.TransportFailure;
        if (answer.HttpStatus >= 500) yield return $"HTTP {answer.HttpStatus}";
        if (answer.GrpcStatus is (int)StatusCode.Internal or (int)StatusCode.Unknown) yield return $"grpc-status {(StatusCode)answer.GrpcStatus}";
    }

    public abstract IEnumerable<string> Problems(HostileAnswer answer);
}

/// <summary>
/// Refused with a stable code: over gRPC (HTTP/2) a status whose message starts with "CODE: ", otherwise the HTTP status
/// with problem details carrying the code (and, when the answer has one, the gRPC status in its headers). With a field,
/// the detail after the code starts with the field's name (or, <paramref name="FieldAnywhere"/>, contains it).
/// </summary>
internal sealed record Refused(bool OverGrpc, StatusCode Grpc, int Http, string Code, string? Field = null, bool FieldAnywhere = false)
    : Expectation
{
    public override IEnumerable<string> Problems(HostileAnswer answer)
    {
        string? detail;
        if (OverGrpc)
        {
            if (answer.HttpStatus != 200) yield return $"HTTP {answer.HttpStatus}, not 200 with a gRPC status";
            if (answer.GrpcStatus != (int)Grpc) yield return $"grpc-status {answer.GrpcStatus?.ToString() ?? "missing"}, not {(int)Grpc} ({Grpc})";
            if (answer.GrpcMessage?.StartsWith(Code + ": ", StringComparison.Ordinal) != true) yield return $"the message does not start with {Code}";
            detail = answer.GrpcMessage?.Length > Code.Length + 2 ? answer.GrpcMessage[(Code.Length + 2)..] : null;
        }
        else
        {
            if (answer.HttpStatus != Http) yield return $"HTTP {answer.HttpStatus}, not {Http}";
            if (answer.ProblemCode != Code) yield return $"problem code {answer.ProblemCode ?? "missing"}, not {Code}";
            if (answer.GrpcStatus is { } status && status != (int)Grpc) yield return $"grpc-status header {status}, not {(int)Grpc}";
            detail = answer.ProblemDetail;
        }
        if (Field is not null && !(FieldAnywhere ? detail?.Contains(Field, StringComparison.Ordinal) == true
                                                  : detail?.StartsWith(Field + " ", StringComparison.Ordinal) == true))
            yield return $"the refusal does not name {Field}";
    }
}

/// <summary>SubmitPunches / StreamPunches: the call succeeds and every punch is REJECTED with the code, the message naming the field.</summary>
internal sealed record RejectedPunches(string Code, string Field) : Expectation
{
    public override IEnumerable<string> Problems(HostileAnswer answer)
    {
        if (answer.HttpStatus != 200 || answer.GrpcStatus != 0)
        {
            yield return "the call was not answered with outcomes";
            yield break;
        }
        var response = SubmitPunchesResponse.Parser.ParseFrom(answer.Messages().Single());
        if (response.Outcomes.Count == 0 || response.RejectedCount != response.Outcomes.Count)
            yield return $"{response.AcceptedCount} accepted, {response.DuplicateCount} duplicate, {response.RejectedCount} rejected";
        foreach (var outcome in response.Outcomes.Where(o => o.Outcome == PunchOutcomeKind.Rejected))
        {
            if (outcome.ErrorCode != Code) yield return $"outcome code {outcome.ErrorCode}, not {Code}";
            if (!outcome.ErrorMessage.StartsWith(Field + " ", StringComparison.Ordinal)) yield return $"the outcome does not name {Field}: '{outcome.ErrorMessage}'";
        }
    }
}

/// <summary>The request is one the service accepts (the control: a hostile case differs from it only by its hostile part).</summary>
/// <param name="PunchOutcomes">SubmitPunches / StreamPunches: every punch ACCEPTED too.</param>
internal sealed record Accepted(bool PunchOutcomes) : Expectation
{
    public override IEnumerable<string> Problems(HostileAnswer answer)
    {
        if (answer.HttpStatus != 200) yield return $"HTTP {answer.HttpStatus}";
        if (answer.GrpcStatus is { } status && status != 0) yield return $"grpc-status {status} '{answer.GrpcMessage}'";
        if (PunchOutcomes && answer.GrpcStatus == 0
            && SubmitPunchesResponse.Parser.ParseFrom(answer.Messages().Single()) is { } response && response.AcceptedCount != response.Outcomes.Count)
            yield return $"outcomes: {response}";
    }
}

using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.PunchLedger.Data;
using HrmsAttendance.TokenAuthentication;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.PunchLedger.Grpc;

/// <summary>
/// <c>attendance.ledger.v1.PunchLedger</c>: validates the wire request, takes the caller's
/// tenant from its token, and hands the punch to the kernel's door. Everything that decides a result lives
/// in the kernel.
/// </summary>
public sealed class PunchLedgerService(PunchStore store, TimeProvider clock)
    : Contracts.Ledger.V1.PunchLedger.PunchLedgerBase
{
    public const int MaxBatchSize = 1000;
    public const int MaxStreamSize = 100_000;
    public const int DefaultListLimit = 1000;
    public const int MaxListLimit = 10_000;
    public const int MaxListDays = 366;

    public static readonly ActivitySource ActivitySource = new("HrmsAttendance.PunchLedger");

    public override async Task<SubmitPunchResponse> SubmitPunch(SubmitPunchRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        if (!PunchCommand.TryCreate(request.Punch, clock.GetUtcNow(), out var punch, out var error))
            throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument, error);

        using var activity = ActivitySource.StartActivity("ledger.submit_punch");
        activity?.SetTag("attendance.tenant_id", caller.TenantId);
        activity?.SetTag("attendance.request_id", punch.RequestId);

        var result = await Kernel(() => store.SubmitAsync(caller.TenantId, caller.Subject, punch, context.CancellationToken));
        activity?.SetTag("attendance.duplicate", result.Duplicate);

        var response = new SubmitPunchResponse { EventId = result.EventId.ToString(), Duplicate = result.Duplicate };
        response.AffectedWorkDates.AddRange(WorkCalendar.AffectedWorkDates(punch.PunchTime).Select(d => d.ToString("yyyy-MM-dd")));
        return response;
    }

    public override async Task<SubmitPunchesResponse> SubmitPunches(SubmitPunchesRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        if (request.Punches.Count == 0)
            throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument, "punches must not be empty");
        if (request.Punches.Count > MaxBatchSize)
            throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument, $"punches has {request.Punches.Count} punches; at most {MaxBatchSize} per call");

        using var activity = ActivitySource.StartActivity("ledger.submit_punches");
        activity?.SetTag("attendance.tenant_id", caller.TenantId);
        activity?.SetTag("attendance.batch_size", request.Punches.Count);

        var outcomes = await CommitChunkAsync(caller, request.Punches, firstIndex: 0, context.CancellationToken);
        return Summarize(outcomes);
    }

    public override async Task<SubmitPunchesResponse> StreamPunches(IAsyncStreamReader<PunchInput> requestStream, ServerCallContext context)
    {
        var caller = context.Caller();
        var ct = context.CancellationToken;

        using var activity = ActivitySource.StartActivity("ledger.stream_punches");
        activity?.SetTag("attendance.tenant_id", caller.TenantId);

        // Each chunk of up to MaxBatchSize is committed (its own transaction) as soon as it fills.
        var outcomes = new List<PunchOutcome>();
        var chunk = new List<PunchInput>(MaxBatchSize);
        var received = 0;
        while (await requestStream.MoveNext(ct))
        {
            if (++received > MaxStreamSize)
                throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument,
                    $"at most {MaxStreamSize} punches per stream; the first {outcomes.Count} were recorded, split the rest into another stream");
            chunk.Add(requestStream.Current);
            if (chunk.Count == MaxBatchSize)
            {
                outcomes.AddRange(await CommitChunkAsync(caller, chunk, outcomes.Count, ct));
                chunk.Clear();
            }
        }
        if (chunk.Count > 0)
            outcomes.AddRange(await CommitChunkAsync(caller, chunk, outcomes.Count, ct));

        activity?.SetTag("attendance.batch_size", received);
        return Summarize(outcomes);
    }

    /// <summary>
    /// One batch-door transaction for up to <see cref="MaxBatchSize"/> punches. Punches that fail
    /// validation here are rejected in place; the rest go to the door. Outcome indexes start at
    /// <paramref name="firstIndex"/> (the chunk's position in the request or stream).
    /// </summary>
    private async Task<PunchOutcome[]> CommitChunkAsync(AccessTokenClaims caller, IReadOnlyList<PunchInput> punches, int firstIndex, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var outcomes = new PunchOutcome[punches.Count];
        var valid = new List<PunchCommand>(punches.Count);
        var validIndex = new List<int>(punches.Count);
        for (var i = 0; i < punches.Count; i++)
        {
            if (PunchCommand.TryCreate(punches[i], now, out var punch, out var error))
            {
                valid.Add(punch);
                validIndex.Add(i);
            }
            else
            {
                outcomes[i] = Rejected(firstIndex + i, LedgerErrors.InvalidArgument, error);
            }
        }

        if (valid.Count > 0)
        {
            // The door's ordinal is 1-based over the punches sent to it (the valid ones).
            var rows = await Kernel(() => store.SubmitBatchAsync(caller.TenantId, caller.Subject, valid, ct));
            foreach (var row in rows)
            {
                var i = validIndex[row.Ordinal - 1];
                var index = firstIndex + i;
                outcomes[i] = row.Outcome switch
                {
                    "ACCEPTED" => new PunchOutcome { Index = index, Outcome = PunchOutcomeKind.Accepted, EventId = row.EventId!.Value.ToString() },
                    "DUPLICATE" => new PunchOutcome { Index = index, Outcome = PunchOutcomeKind.Duplicate, EventId = row.EventId!.Value.ToString() },
                    _ => Rejected(index, row.ErrorCode ?? LedgerErrors.Internal, DescribeRejection(row.ErrorCode, valid[row.Ordinal - 1])),
                };
            }
        }
        return outcomes;
    }

    private static SubmitPunchesResponse Summarize(IReadOnlyCollection<PunchOutcome> outcomes)
    {
        var response = new SubmitPunchesResponse();
        response.Outcomes.AddRange(outcomes);
        response.AcceptedCount = outcomes.Count(o => o.Outcome == PunchOutcomeKind.Accepted);
        response.DuplicateCount = outcomes.Count(o => o.Outcome == PunchOutcomeKind.Duplicate);
        response.RejectedCount = outcomes.Count(o => o.Outcome == PunchOutcomeKind.Rejected);
        return response;
    }

    public override async Task ListPunches(ListPunchesRequest request, IServerStreamWriter<Punch> responseStream, ServerCallContext context)
    {
        var caller = context.Caller();
        if (!WireValues.TryParseCanonicalUuid(request.PersonUuid, out var person) || person == Guid.Empty)
            throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument, "person_uuid must be a canonical UUID (not the nil UUID)");
        if (WorkCalendar.DateProblem(request.FromDate, out var from) is { } fromProblem)
            throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument, "from_date " + fromProblem);
        if (WorkCalendar.DateProblem(request.ToDate, out var to) is { } toProblem)
            throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument, "to_date " + toProblem);
        if (to < from)
            throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument, "to_date is before from_date");
        if (to.DayNumber - from.DayNumber >= MaxListDays)
            throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument, $"to_date may be at most {MaxListDays - 1} days after from_date");
        if (request.Limit is < 0 or > MaxListLimit)
            throw LedgerErrors.Refuse(LedgerErrors.InvalidArgument, $"limit must be between 0 and {MaxListLimit}");
        var limit = request.Limit == 0 ? DefaultListLimit : request.Limit;

        var punches = store.ListAsync(caller.TenantId, person, WorkCalendar.StartOf(from), WorkCalendar.StartOf(to.AddDays(1)),
            limit, context.CancellationToken);
        try
        {
            await foreach (var p in punches)
                await responseStream.WriteAsync(ToWire(p), context.CancellationToken);
        }
        catch (Exception e) when (IsDatabaseFailure(e, context.CancellationToken))
        {
            throw LedgerErrors.FromDatabase(e);
        }
    }

    private static async Task<T> Kernel<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            throw LedgerErrors.FromDatabase(e);
        }
    }

    private static bool IsDatabaseFailure(Exception e, CancellationToken ct) =>
        e is Npgsql.NpgsqlException or TimeoutException && !ct.IsCancellationRequested;

    private static PunchOutcome Rejected(int index, string code, string message) =>
        new() { Index = index, Outcome = PunchOutcomeKind.Rejected, ErrorCode = code, ErrorMessage = message };

    // The single door's DETAIL says the same for SubmitPunch (0008_known_persons_only.sql).
    private static string DescribeRejection(string? code, PunchCommand punch) => code switch
    {
        LedgerErrors.IdempotencyConflict => "request_id or source_event_id was already used for a punch with different fields",
        LedgerErrors.InvalidArgument => "the kernel refused the punch's fields",
        LedgerErrors.PersonUnknown =>
            $"person_uuid {punch.PersonUuid} is not a person of this tenant; create the person in identity-mapping first (request_id {punch.RequestId} was not recorded)",
        LedgerErrors.PersonInactive =>
            $"person_uuid {punch.PersonUuid} is deactivated; reactivate the person in identity-mapping to record their punches (request_id {punch.RequestId} was not recorded)",
        _ => "the punch was not recorded",
    };

    private static Punch ToWire(PunchRecord p) => new()
    {
        EventId = p.EventId.ToString(),
        PersonUuid = p.PersonUuid.ToString(),
        PunchTime = Timestamp.FromDateTimeOffset(p.PunchTime),
        PunchType = PunchCommand.ToWire(p.PunchType),
        SourceProvider = PunchCommand.ProviderToWire(p.SourceProvider),
        SourceEventId = p.SourceEventId ?? "",
        RequestId = p.RequestId,
        PayloadJson = p.PayloadJson,
        RecordedAt = Timestamp.FromDateTimeOffset(p.RecordedAt),
        InitiatorId = p.InitiatorId ?? "",
        Sequence = p.Sequence,
    };
}

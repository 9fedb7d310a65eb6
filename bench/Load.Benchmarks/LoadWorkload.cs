using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;

namespace HrmsAttendance.Load.Benchmarks;

/// <summary>The calls a client makes, each a real call through the gateway.</summary>
public enum Operation
{
    SubmitPunch,
    ListDailyResults,
    ListPunches,
}

/// <summary>
/// The persons the load punches for, registered through the gateway (identity-mapping's CreatePerson) first, so that the
/// ledger may refuse punches for unknown persons without changing the benchmark. Each person punches IN around 09:00
/// and OUT around 18:00 (Asia/Shanghai) on consecutive days from <see cref="FirstDay"/>: every punch is new (its own
/// request_id and time) and makes the kernel recompute that day's results, as in production.
/// </summary>
public sealed class LoadPersons(IReadOnlyList<string> persons, string runId)
{
    public static readonly DateTimeOffset FirstDay = new(2025, 1, 6, 0, 0, 0, TimeSpan.FromHours(8));
    private readonly long[] punchesSoFar = new long[persons.Count];

    public int Count => persons.Count;

    public static async Task<LoadPersons> RegisterAsync(IdentityMappingClient identity, Metadata bearer, int count, string runId)
    {
        var persons = new string[count];
        var next = -1;
        // 16 at a time: a quick setup that does not wait on one round trip per person.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var person = await identity.CreatePersonAsync(
                    new CreatePersonRequest { EmployeeNumber = $"L{runId}-{i}", DisplayName = $"Load person {i}" },
                    new CallOptions(bearer, DateTime.UtcNow.AddSeconds(30)));
                persons[i] = person.PersonUuid;
            }
        }));
        return new LoadPersons(persons, runId);
    }

    public string Person(int index) => persons[index];

    public SubmitPunchRequest NextPunch(int person, Random random)
    {
        var n = Interlocked.Increment(ref punchesSoFar[person]) - 1;
        var isIn = n % 2 == 0;
        var time = FirstDay.AddDays(n / 2).AddHours(isIn ? 9 : 18).AddMinutes(random.Next(-20, 20)).AddSeconds(random.Next(60));
        if (time > DateTimeOffset.UtcNow)
            throw new InvalidOperationException($"person {person} ran out of past days ({n} punches): register more persons (--persons)");
        return new SubmitPunchRequest
        {
            Punch = new PunchInput
            {
                PersonUuid = persons[person],
                PunchTime = Timestamp.FromDateTimeOffset(time),
                PunchType = isIn ? PunchType.In : PunchType.Out,
                SourceProvider = SourceProvider.Manual,
                RequestId = $"load-{runId}-{person}-{n}",
                PayloadJson = """{"device":"load-bench"}""",
            },
        };
    }
}

/// <summary>One client's calls through one gateway channel, with its own token (its own principal's bucket in Redis).</summary>
public sealed class LoadClient(PunchLedgerClient ledger, DailyResultsClient results, Metadata bearer, LoadPersons persons, int submitPercent, int seed)
{
    private static readonly string ResultsFrom = LoadPersons.FirstDay.ToString("yyyy-MM-dd");
    private static readonly string ResultsTo = LoadPersons.FirstDay.AddDays(30).ToString("yyyy-MM-dd");
    private static readonly string PunchesTo = LoadPersons.FirstDay.AddDays(6).ToString("yyyy-MM-dd");
    private readonly Random random = new(seed);

    public Operation Pick()
    {
        var draw = random.Next(100);
        return draw < submitPercent ? Operation.SubmitPunch
            : (draw - submitPercent) % 2 == 0 ? Operation.ListDailyResults : Operation.ListPunches;
    }

    /// <summary>Makes the call and checks its answer; a refusal surfaces as the <see cref="RpcException"/> the client got.</summary>
    public async Task CallAsync(Operation operation)
    {
        var options = new CallOptions(bearer, DateTime.UtcNow.AddSeconds(30));
        var person = random.Next(persons.Count);
        switch (operation)
        {
            case Operation.SubmitPunch:
                var recorded = await ledger.SubmitPunchAsync(persons.NextPunch(person, random), options);
                if (recorded.Duplicate || recorded.EventId.Length == 0)
                    throw new UnexpectedAnswerException($"SubmitPunch did not record a new event: {recorded}");
                break;
            case Operation.ListDailyResults:
                await results.ListDailyResultsAsync(
                    new ListDailyResultsRequest { PersonUuid = persons.Person(person), FromDate = ResultsFrom, ToDate = ResultsTo }, options);
                break;
            case Operation.ListPunches:
                using (var call = ledger.ListPunches(
                           new ListPunchesRequest { PersonUuid = persons.Person(person), FromDate = ResultsFrom, ToDate = PunchesTo, Limit = 100 }, options))
                {
                    while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
                }
                break;
        }
    }
}

/// <summary>An answer that came back OK but is not what the call must return (counted as an error).</summary>
public sealed class UnexpectedAnswerException(string message) : Exception(message);

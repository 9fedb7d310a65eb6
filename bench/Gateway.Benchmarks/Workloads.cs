using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace HrmsAttendance.Gateway.Benchmarks;

/// <summary>
/// One way to reach the services: straight to each service's gRPC port, or through the gateway's gRPC port, both with
/// a bearer token (the services validate it themselves). Same client code, same messages, same deadline.
/// </summary>
public sealed record CallPath(string Name, PunchLedgerClient Ledger, DailyResultsClient Results, Metadata Headers)
{
    public CallOptions Options() => new(Headers, DateTime.UtcNow.AddSeconds(30));
}

/// <summary>A workload: one unary call, checked, on a path.</summary>
public sealed record Workload(string Name, Func<CallPath, Task> CallAsync);

/// <summary>
/// SubmitPunch: every call is a real write (a new request id; a new punch time for its person). Each person punches IN
/// around 09:00 and OUT around 18:00 (Asia/Shanghai) on consecutive days, so each punch lands where results already
/// exist and the kernel recomputes them, as in production. One generator feeds both paths, call after call. The people
/// are registered persons of the tenant (<see cref="Workloads.CreatePersonsAsync"/>): the ledger refuses the others.
/// </summary>
public sealed class PunchGenerator(string[] people, int seed)
{
    private static readonly DateTimeOffset FirstDay = new(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(8));
    private readonly Lock gate = new();
    private readonly Random random = new(seed);
    private readonly int[] punchesSoFar = new int[people.Length];
    private long sequence;

    public SubmitPunchRequest Next()
    {
        lock (gate)
        {
            var person = random.Next(people.Length);
            var n = punchesSoFar[person]++;
            var isIn = n % 2 == 0;
            var time = FirstDay.AddDays(n / 2).AddHours(isIn ? 9 : 18).AddMinutes(random.Next(-20, 20)).AddSeconds(random.Next(60));
            return new SubmitPunchRequest
            {
                Punch = new PunchInput
                {
                    PersonUuid = people[person],
                    PunchTime = Timestamp.FromDateTimeOffset(time),
                    PunchType = isIn ? PunchType.In : PunchType.Out,
                    SourceProvider = SourceProvider.Manual,
                    RequestId = $"gw-bench-{seed}-{++sequence}",
                    PayloadJson = """{"device":"bench"}""",
                },
            };
        }
    }
}

public static class Workloads
{
    /// <summary>
    /// <paramref name="count"/> new persons, made with identity-mapping's CreatePerson on its own port (8 calls at a time),
    /// before anything is measured.
    /// </summary>
    public static async Task<string[]> CreatePersonsAsync(IdentityMappingClient identity, Metadata headers, int count)
    {
        var persons = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            persons[i] = (await identity.CreatePersonAsync(
                new() { EmployeeNumber = $"bench-{i}-{Guid.NewGuid():N}", DisplayName = $"Bench person {i}" }, headers, cancellationToken: ct)).PersonUuid);
        return persons;
    }

    public static Workload SubmitPunch(PunchGenerator generator) => new("SubmitPunch", async path =>
    {
        var response = await path.Ledger.SubmitPunchAsync(generator.Next(), path.Options());
        if (response.Duplicate || response.EventId.Length == 0)
            throw new InvalidOperationException($"SubmitPunch via {path.Name} did not record a new event: {response}");
    });

    /// <summary>ListDailyResults for one person holding <paramref name="days"/> days of results (seeded by <see cref="SeedResultsAsync"/>).</summary>
    public static Workload ListDailyResults(string person, int days)
    {
        var request = new ListDailyResultsRequest { PersonUuid = person, FromDate = ResultsFrom, ToDate = ResultsTo(days) };
        return new("ListDailyResults", async path =>
        {
            var response = await path.Results.ListDailyResultsAsync(request, path.Options());
            if (response.Results.Count != days)
                throw new InvalidOperationException($"ListDailyResults via {path.Name} returned {response.Results.Count} results, expected {days}.");
        });
    }

    private const string ResultsFrom = "2026-02-02";
    private static readonly DateTimeOffset ResultsFirstDay = new(2026, 2, 2, 0, 0, 0, TimeSpan.FromHours(8));
    private static string ResultsTo(int days) => ResultsFirstDay.AddDays(days - 1).ToString("yyyy-MM-dd");

    /// <summary>
    /// Gives <paramref name="person"/> <paramref name="days"/> consecutive days of results: an IN and an OUT each day,
    /// some late or early, in one SubmitPunches call.
    /// </summary>
    public static async Task SeedResultsAsync(CallPath path, string person, int days)
    {
        var request = new SubmitPunchesRequest();
        for (var d = 0; d < days; d++)
        {
            var day = ResultsFirstDay.AddDays(d);
            foreach (var (hours, minutes, type) in new[] { (9, d % 3 == 0 ? 12 : -3, PunchType.In), (18, d % 4 == 0 ? -9 : 4, PunchType.Out) })
            {
                request.Punches.Add(new PunchInput
                {
                    PersonUuid = person,
                    PunchTime = Timestamp.FromDateTimeOffset(day.AddHours(hours).AddMinutes(minutes)),
                    PunchType = type,
                    SourceProvider = SourceProvider.Manual,
                    RequestId = $"gw-bench-seed-{person}-{d}-{type}",
                });
            }
        }
        var response = await path.Ledger.SubmitPunchesAsync(request, path.Options());
        if (response.AcceptedCount != request.Punches.Count)
            throw new InvalidOperationException($"seeding accepted {response.AcceptedCount} of {request.Punches.Count} punches: {response}");
    }
}

/// <summary>
/// The kernel's single door, <c>staffing.submit_time_punch_event</c>, called straight through Npgsql as punch-ledger's
/// role calls it (the same one statement as <c>PunchStore.SubmitAsync</c>: the tenant set with set_config, then the door),
/// over a pool of exactly N connections.
/// </summary>
public sealed class KernelDoor(Npgsql.NpgsqlDataSource dataSource, Guid tenant)
{
    public async Task SubmitAsync(SubmitPunchRequest request)
    {
        var punch = request.Punch;
        await using var command = dataSource.CreateCommand("""
            SELECT d.event_uuid, d.duplicate
            FROM set_config('app.current_tenant', $1, true) AS t(tenant)
            CROSS JOIN LATERAL staffing.submit_time_punch_event(t.tenant::uuid, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) AS d
            """);
        foreach (var value in new object[]
                 {
                     tenant.ToString(), Guid.Parse(punch.PersonUuid), punch.PunchTime.ToDateTime(),
                     punch.PunchType == PunchType.In ? "IN" : "OUT", "MANUAL", DBNull.Value, punch.RequestId, punch.PayloadJson, DBNull.Value,
                 })
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync() || reader.GetBoolean(1))
            throw new InvalidOperationException("the door did not record a new event");
    }
}

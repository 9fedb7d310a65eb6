using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed.Faults;

/// <summary>What became of one punch the stream sent: acknowledged (with how many attempts) or given up at the deadline.</summary>
internal sealed record SentPunch(string RequestId, int Attempts, bool Acknowledged, bool Duplicate, TimeSpan? AcknowledgedAt);

/// <summary>
/// A fresh tenant with one person per client, and callers of the running gateway only (bearer tokens signed with the
/// AppHost's development key): the faults must be seen as an outside caller sees them.
/// </summary>
internal sealed class FaultWorld
{
    private readonly AccessTokenSettings settings;

    private FaultWorld(DistributedApplication app, string dataDirectory, Guid tenant)
    {
        App = app;
        Tenant = tenant;
        settings = DevelopmentTokens.DevelopmentSettings(dataDirectory);
    }

    public DistributedApplication App { get; }
    public Guid Tenant { get; }
    public IReadOnlyList<Guid> Persons { get; private set; } = [];

    /// <summary>A token of a principal of its own (its own per-principal bucket).</summary>
    public string Token(string role) =>
        new AccessTokenIssuer(settings).Issue(new AccessTokenClaims(Tenant, $"{role}:{Guid.NewGuid():N}", [role], null), TimeSpan.FromMinutes(15));

    public GrpcChannel Channel() => GrpcChannel.ForAddress(App.GetEndpoint("gateway", "grpc"));

    public static CallOptions Bearer(string token, TimeSpan deadline) =>
        new(new Metadata { { "authorization", "Bearer " + token } }, DateTime.UtcNow + deadline);

    public static async Task<FaultWorld> CreateAsync(DistributedApplication app, string dataDirectory)
    {
        var world = new FaultWorld(app, dataDirectory, Guid.NewGuid());
        using var channel = world.Channel();
        var identity = new IdentityMappingClient(channel);
        var admin = world.Token(AccessRoles.TenantAdmin);
        var persons = new List<Guid>();
        for (var i = 0; i < FaultOptions.Clients; i++)
        {
            var request = new CreatePersonRequest { EmployeeNumber = $"FAULT-{i}", DisplayName = $"Fault client {i}" };
            persons.Add(Guid.Parse((await RetryUnavailableAsync(() => identity.CreatePersonAsync(request, Bearer(admin, TimeSpan.FromSeconds(30))).ResponseAsync)).PersonUuid));
        }
        world.Persons = persons;
        return world;
    }

    /// <summary>
    /// UNAVAILABLE means "retry" (a service whose pooled database connections died with a restarted Postgres says so
    /// once per dead connection), as every caller is told; anything else fails the set-up.
    /// </summary>
    private static async Task<T> RetryUnavailableAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }
}

/// <summary>
/// A steady, bounded stream of SubmitPunch through the gateway: <see cref="FaultOptions.Clients"/> clients, each sending
/// one punch at a time with a unique request_id and retrying a failed call with the SAME request_id (as the README tells
/// callers) until it is acknowledged or <see cref="FaultOptions.PunchDeadline"/> passes. Records every outcome and
/// the time of every acknowledgement, from which the outage as callers saw it is measured.
/// </summary>
internal sealed class PunchStream : IAsyncDisposable
{
    /// <summary>The first work date punched (a Monday); each client moves one day every 8 punches.</summary>
    public static readonly DateOnly FirstDate = new(2026, 3, 2);

    private const int PunchesPerDay = 8;
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(100); // ≤ 10/s per client, under the per-principal limit

    private readonly FaultWorld world;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<SentPunch> sent = new();
    private readonly ConcurrentQueue<TimeSpan> acknowledgements = new();
    private readonly ConcurrentDictionary<string, int> failures = new();
    private readonly Task[] clients;

    private PunchStream(FaultWorld world)
    {
        this.world = world;
        Clock = Stopwatch.StartNew();
        clients = [.. Enumerable.Range(0, FaultOptions.Clients).Select(c => Task.Run(() => RunClientAsync(c)))];
    }

    public Stopwatch Clock { get; }

    public static PunchStream Start(FaultWorld world) => new(world);

    public int AcknowledgedCount => acknowledgements.Count;

    /// <summary>Failed attempts by status (what the callers saw during the fault).</summary>
    public IReadOnlyDictionary<string, int> Failures => failures;

    /// <summary>Acknowledgements received in [from, to) of <see cref="Clock"/>.</summary>
    public int AcknowledgedBetween(TimeSpan from, TimeSpan to) => acknowledgements.Count(t => t >= from && t < to);

    /// <summary>Waits until <paramref name="count"/> more punches are acknowledged than now (the stream flows).</summary>
    public async Task WaitForAcknowledgementsAsync(int count, TimeSpan timeout)
    {
        var target = AcknowledgedCount + count;
        var deadline = Clock.Elapsed + timeout;
        while (AcknowledgedCount < target)
        {
            if (clients.FirstOrDefault(c => c.IsFaulted) is { } crashed) await crashed; // a client's own bug, not an outage
            if (Clock.Elapsed > deadline)
                throw new TimeoutException($"Only {AcknowledgedCount - target + count} of {count} punches acknowledged in {timeout.TotalSeconds:0} s; failures: {Describe(Failures)}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Stops sending new punches and waits for each client's punch in hand to be acknowledged or given up; returns
    /// every punch sent.
    /// </summary>
    public async Task<IReadOnlyList<SentPunch>> StopAsync()
    {
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        return [.. sent];
    }

    /// <summary>The longest time without any acknowledgement between <paramref name="from"/> and the last one.</summary>
    public TimeSpan LongestGapAfter(TimeSpan from) => LongestGap(acknowledgements, from);

    /// <summary>The longest time between <paramref name="from"/> and the first of <paramref name="times"/> after it, or two of them.</summary>
    public static TimeSpan LongestGap(IEnumerable<TimeSpan> times, TimeSpan from)
    {
        var after = times.Where(t => t >= from).Order().Prepend(from).ToList();
        return after.Zip(after.Skip(1), (a, b) => b - a).DefaultIfEmpty(TimeSpan.Zero).Max();
    }

    /// <summary>A failure's status and the start of its detail (a service's stable code, or the transport's words).</summary>
    public static string Kind(RpcException e) =>
        $"{e.StatusCode} \"{(e.Status.Detail.Length > 60 ? e.Status.Detail[..60] + "…" : e.Status.Detail)}\"";

    public static string Describe(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}×{c.Value}"));

    private async Task RunClientAsync(int client)
    {
        using var channel = world.Channel();
        var ledger = new PunchLedgerClient(channel);
        var token = world.Token(AccessRoles.Integration);
        var person = world.Persons[client];
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var day = FirstDate.AddDays(n / PunchesPerDay);
            var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(8, 30)), Punches.Shanghai).AddMinutes(n % PunchesPerDay * 75);
            var punch = new PunchInput
            {
                PersonUuid = person.ToString(),
                PunchTime = Timestamp.FromDateTimeOffset(at),
                PunchType = n % 2 == 0 ? PunchType.In : PunchType.Out,
                SourceProvider = SourceProvider.Manual,
                RequestId = Guid.NewGuid().ToString(),
            };
            sent.Enqueue(await SubmitUntilAcknowledgedAsync(ledger, token, punch));
            try
            {
                await Task.Delay(Pace, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // stopping: the punch in hand is already settled
            }
        }
    }

    private async Task<SentPunch> SubmitUntilAcknowledgedAsync(PunchLedgerClient ledger, string token, PunchInput punch)
    {
        var giveUp = Clock.Elapsed + FaultOptions.PunchDeadline;
        var backoff = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Not cancelled by stop: a punch once sent is retried to the end, as a real client would.
                var response = await ledger.SubmitPunchAsync(new() { Punch = punch }, FaultWorld.Bearer(token, TimeSpan.FromSeconds(10)));
                var at = Clock.Elapsed;
                acknowledgements.Enqueue(at);
                return new SentPunch(punch.RequestId, attempt, true, response.Duplicate, at);
            }
            catch (RpcException e)
            {
                failures.AddOrUpdate(Kind(e), 1, (_, n) => n + 1);
                if (Clock.Elapsed + backoff > giveUp)
                    return new SentPunch(punch.RequestId, attempt, false, false, null);
            }
            await Task.Delay(backoff);
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 1000));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested) await StopAsync();
        stop.Dispose();
    }
}

/// <summary>A second caller during a fault: identity-mapping's ListPersons through the gateway, in a loop.</summary>
internal sealed class IdentityCalls : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<TimeSpan> successes = new();
    private readonly ConcurrentDictionary<string, int> failures = new();
    private readonly ConcurrentQueue<TimeSpan> failuresAt = new();
    private readonly Stopwatch clock;
    private readonly Task loop;

    public IdentityCalls(FaultWorld world, Stopwatch clock)
    {
        this.clock = clock;
        loop = Task.Run(async () =>
        {
            using var channel = world.Channel();
            var identity = new IdentityMappingClient(channel);
            var token = world.Token(AccessRoles.TenantAdmin);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var page = await identity.ListPersonsAsync(new ListPersonsRequest { PageSize = 10 }, FaultWorld.Bearer(token, TimeSpan.FromSeconds(10)));
                    if (page.Persons.Count > 0) successes.Enqueue(clock.Elapsed);
                    else failures.AddOrUpdate("empty page", 1, (_, n) => n + 1);
                }
                catch (RpcException e)
                {
                    failures.AddOrUpdate(PunchStream.Kind(e), 1, (_, n) => n + 1);
                    failuresAt.Enqueue(clock.Elapsed);
                }
                await Task.Delay(100);
            }
        });
    }

    public IReadOnlyDictionary<string, int> Failures => failures;

    public int SucceededAfter(TimeSpan from) => successes.Count(t => t >= from);

    /// <summary>Failed calls after <paramref name="from"/> (by then the fault is over for the callers).</summary>
    public int FailedAfter(TimeSpan from) => failuresAt.Count(t => t >= from);

    public TimeSpan LongestGapAfter(TimeSpan from) => PunchStream.LongestGap(successes, from);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}

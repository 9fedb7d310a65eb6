using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Messaging;
using HrmsAttendance.Messaging.Outbox;
using HrmsAttendance.PunchLedger.Messaging;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace HrmsAttendance.AppHost.Tests.Distributed.Faults;

/// <summary>
/// The bus under faults (issue 11): punches are accepted while the broker is down and every PunchRecorded reaches a
/// consumer once it is back; a relay killed mid-backlog loses nothing; two relays at once lose nothing. Each counts
/// lost messages (0 allowed) and duplicates (allowed: delivery is at least once, consumers dedupe by message id) and
/// prints them.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class BusFaultTests(FaultAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);
    private static readonly DateOnly FirstDate = new(2025, 1, 6);

    [Fact]
    public async Task With_the_broker_down_punches_are_accepted_and_every_message_arrives_once_it_is_back()
    {
        var app = fixture.App;
        var world = await FaultWorld.CreateAsync(app, fixture.DataDirectory);
        await using var probe = await BusProbe.StartAsync(app, world.Tenant);
        var clock = Stopwatch.StartNew();

        await ResourceFaults.StopAsync(app, "messaging", Timeout);
        var stopped = clock.Elapsed;
        var events = await SubmitAsync(world, FaultOptions.BusPunches, offset: 0);
        var submitted = clock.Elapsed;
        // The service works on, and its /health turns Degraded with the reason once the relay's publish times out.
        var health = await HealthAsync("punch-ledger");
        while (health.GetProperty("status").GetString() != "Degraded" && clock.Elapsed - stopped < FaultOptions.BrokerDown + TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
            health = await HealthAsync("punch-ledger");
        }
        var degraded = clock.Elapsed;
        Assert.True(health.GetProperty("status").GetString() == "Degraded", health.GetRawText());
        Assert.Empty(probe.Deliveries);
        var rest = FaultOptions.BrokerDown - (clock.Elapsed - stopped);
        if (rest > TimeSpan.Zero) await Task.Delay(rest);

        await ResourceFaults.StartAsync(app, "messaging", Timeout);
        var started = clock.Elapsed;
        await probe.WaitForEventsAsync(events, Timeout);
        var delivered = clock.Elapsed;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BUS broker down {Seconds(started - stopped)} s: {events.Count} punches accepted in {Seconds(submitted - stopped)} s while it was down; "
            + $"all delivered {Seconds(delivered - started)} s after the broker's start command; lost 0, duplicates {probe.Duplicates}; "
            + $"punch-ledger /health Degraded {Seconds(degraded - stopped)} s after the stop: {health.GetRawText()}"));
        Assert.Equal(events.Count, probe.Events.Count);
    }

    [Fact]
    public async Task A_relay_killed_while_it_publishes_a_backlog_loses_nothing()
    {
        var app = fixture.App;
        var world = await FaultWorld.CreateAsync(app, fixture.DataDirectory);
        await using var probe = await BusProbe.StartAsync(app, world.Tenant);

        // A backlog to publish: punches accepted while the broker is stopped.
        await ResourceFaults.StopAsync(app, "messaging", Timeout);
        var events = await SubmitAsync(world, FaultOptions.BusPunches, offset: 0);
        await ResourceFaults.StartAsync(app, "messaging", Timeout);
        // SIGKILL the relay's process as soon as the first of them arrives.
        var deadline = DateTime.UtcNow + Timeout;
        while (probe.Deliveries.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(5);
        var deliveredAtKill = probe.Deliveries.Count;
        var exitSeen = await ResourceFaults.KillAndRestartAsync(app, "punch-ledger", "PunchLedger", Timeout);
        await probe.WaitForEventsAsync(events, Timeout);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BUS relay SIGKILL after {deliveredAtKill} of {events.Count} messages (exit seen in {Seconds(exitSeen)} s): lost 0, duplicates {probe.Duplicates}"));
        Assert.Equal(events.Count, probe.Events.Count);
    }

    [Fact]
    public async Task Two_relays_at_once_lose_nothing_and_the_duplicates_are_counted()
    {
        var app = fixture.App;
        var world = await FaultWorld.CreateAsync(app, fixture.DataDirectory);
        await using var probe = await BusProbe.StartAsync(app, world.Tenant);
        // A second replica of the ledger's relay, configured as the service configures its own, on the service's login.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration["ConnectionStrings:messaging"] = await app.GetConnectionStringAsync("messaging");
        builder.Services.AddSingleton(Npgsql.NpgsqlDataSource.Create(await LedgerConnectionStringAsync()));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddMessageBus();
        builder.AddOutboxRelay<LedgerOutboxMessages>(LedgerOutboxMessages.Schema, LedgerOutboxMessages.Source);
        using var secondRelay = builder.Build();
        await secondRelay.StartAsync();
        try
        {
            var events = await SubmitAsync(world, FaultOptions.BusPunches, offset: 0);
            await probe.WaitForEventsAsync(events, Timeout);
            var second = secondRelay.Services.GetRequiredService<OutboxRelayState>();
            output.WriteLine(
                $"BUS two relays: {events.Count} punches, lost 0, duplicates {probe.Duplicates}; the second relay published {second.PublishedTotal} messages of the tenants' outbox");
            Assert.Equal(events.Count, probe.Events.Count);
            Assert.True(second.PublishedTotal > 0, "the second relay published nothing: the test did not run two relays at once");
        }
        finally
        {
            await secondRelay.StopAsync();
        }
    }

    /// <summary>Submits <paramref name="count"/> punches straight to punch-ledger (8 at a time); returns their event ids.</summary>
    private static async Task<IReadOnlyCollection<Guid>> SubmitAsync(FaultWorld world, int count, int offset)
    {
        using var channel = world.App.CreateGrpcChannel("punch-ledger");
        var client = new PunchLedgerClient(channel);
        var token = world.Token(AccessRoles.Integration);
        var events = new ConcurrentBag<Guid>();
        await Parallel.ForAsync(offset, offset + count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var person = world.Persons[i % world.Persons.Count];
            var at = new DateTimeOffset(FirstDate.AddDays(i / world.Persons.Count).ToDateTime(new TimeOnly(9, 0)), Punches.Shanghai);
            var request = Punches.In(person, at);
            request.Punch.RequestId = $"bus-{world.Tenant:N}-{i}";
            var response = await client.SubmitPunchAsync(request, FaultWorld.Bearer(token, TimeSpan.FromSeconds(30)));
            events.Add(Guid.Parse(response.EventId));
        });
        return events.ToArray();
    }

    /// <summary>The connection string punch-ledger runs with (its own login), as DCP reports the process's environment.</summary>
    private async Task<string> LedgerConnectionStringAsync()
    {
        var running = await fixture.App.WaitHealthyAsync("punch-ledger", TimeSpan.FromSeconds(60));
        return running.Snapshot.EnvironmentVariables.Single(v => v.Name == "ConnectionStrings__attendance").Value
            ?? throw new InvalidOperationException("punch-ledger runs without ConnectionStrings__attendance.");
    }

    private async Task<JsonElement> HealthAsync(string resource)
    {
        using var http = new HttpClient { BaseAddress = fixture.App.GetEndpoint(resource, "http") };
        return await http.GetFromJsonAsync<JsonElement>("/health");
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}

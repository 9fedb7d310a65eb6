using System.Text.Json;
using HrmsAttendance.AppHost.Tests.Distributed.Faults;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using static HrmsAttendance.AppHost.Tests.Distributed.Connectors.DingTalkWorld;
using static HrmsAttendance.AppHost.Tests.Distributed.Connectors.Patiently;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// The DingTalk connector against the fake's Stream mode, through the whole topology (two connector replicas): exactly
/// once into the ledger whatever DingTalk redelivers, nothing acknowledged before it is stored, unmapped punches parked and
/// replayed once linked, tenants apart, one stream consumer per tenant.
/// </summary>
[Collection(DingTalkAppCollection.Name)]
public sealed class DingTalkConnectorTests(DingTalkAppFixture fixture)
{
    [Fact]
    public async Task The_same_event_delivered_ten_times_is_one_ledger_event_with_its_raw_payload()
    {
        using var world = await ConnectedAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-ten", person);

        for (var i = 0; i < 10; i++)
            world.DingTalk.PublishCheckRecords(world.ClientId, [("u-ten", OnMonday(9, 1), "rec-ten")], eventId: "evt-ten");
        await Eventually(() => world.Acked("SUCCESS") == 10, "all ten deliveries are acknowledged SUCCESS");

        var punch = Assert.Single(await world.PunchesAsync(person));
        Assert.Equal(SourceProvider.Dingtalk, punch.SourceProvider);
        Assert.Equal("rec-ten", punch.SourceEventId);
        Assert.Equal(PunchType.Raw, punch.PunchType);
        Assert.Equal(OnMonday(9, 1), punch.PunchTime.ToDateTimeOffset());
        using var payload = JsonDocument.Parse(punch.PayloadJson);
        Assert.Equal("Normal", payload.RootElement.GetProperty("record").GetProperty("timeResult").GetString()); // kept, not used
        Assert.Equal("evt-ten", payload.RootElement.GetProperty("event").GetProperty("eventId").GetString());

        var status = await world.StatusAsync();
        Assert.Equal("connected", status.State);
        Assert.Equal(10, status.EventsAcknowledged);
        Assert.Equal(0, status.ParkedPunches);
    }

    [Fact]
    public async Task A_connection_dropped_mid_stream_reconnects_and_nothing_is_lost_or_doubled()
    {
        using var world = await ConnectedAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-drop", person);

        // Half the events are acknowledged; the other half are published and the connection drops while they are in
        // flight or not yet delivered (the connector stores frames that arrive together as one batch, so the drop comes
        // between two waves rather than after a count of acknowledgements).
        const int events = 30;
        for (var i = 0; i < events / 2; i++)
            world.DingTalk.PublishCheckRecords(world.ClientId, [("u-drop", OnMonday(8, 0).AddMinutes(i), $"rec-drop-{i}")]);
        await Eventually(() => world.Acked("SUCCESS") >= 3, "some events are acknowledged");
        for (var i = events / 2; i < events; i++)
            world.DingTalk.PublishCheckRecords(world.ClientId, [("u-drop", OnMonday(8, 0).AddMinutes(i), $"rec-drop-{i}")]);
        world.DingTalk.DropConnections(world.ClientId);
        await Eventually(() => world.DingTalk.Connections(world.ClientId).Opened >= 2, "the connector opens a new connection");
        await Eventually(() => world.DingTalk.Pending(world.ClientId) == 0, "every event is acknowledged SUCCESS after the reconnect");

        var punches = await world.PunchesAsync(person);
        Assert.Equal(events, punches.Count);
        Assert.Equal(events, punches.Select(p => p.SourceEventId).Distinct().Count());
    }

    [Fact]
    public async Task Ping_is_answered_and_a_disconnect_frame_opens_a_new_connection()
    {
        using var world = await ConnectedAsync(fixture);
        Assert.True(await world.DingTalk.PingAsync(world.ClientId, TimeSpan.FromSeconds(10)), "the ping is answered with its data");

        var opened = world.DingTalk.Connections(world.ClientId).Opened;
        await world.DingTalk.SendDisconnectAsync(world.ClientId);
        await Eventually(() => world.DingTalk.Connections(world.ClientId).Opened > opened, "a new connection is opened after disconnect");

        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-after", person);
        world.DingTalk.PublishCheckRecords(world.ClientId, [("u-after", OnMonday(9, 0), "rec-after")]);
        await EventuallyAsync(async () => (await world.PunchesAsync(person)).Count == 1, "the event on the new connection is recorded");
    }

    [Fact]
    public async Task With_the_ledger_down_each_event_of_the_failed_batch_is_acknowledged_LATER_and_recorded_once_after_recovery()
    {
        using var world = await ConnectedAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-down", person);

        // Five events delivered together while the ledger is down: stored as one batch, which fails; each gets LATER.
        var events = Enumerable.Range(0, 5).Select(i => $"rec-down-{i}").ToList();
        await ResourceFaults.StopAsync(fixture.App, "punch-ledger", TimeSpan.FromSeconds(60));
        try
        {
            foreach (var (id, i) in events.Select((id, i) => (id, i)))
                world.DingTalk.PublishCheckRecords(world.ClientId, [("u-down", OnMonday(9, 2).AddMinutes(i), id)], eventId: id);
            await Eventually(() => events.All(id => world.DingTalk.Acks(world.ClientId).Any(a => a.EventId == id && a.Status == "LATER")),
                "each event is acknowledged LATER while the ledger is down");
            Assert.Equal(0, world.Acked("SUCCESS"));
        }
        finally
        {
            await ResourceFaults.StartAsync(fixture.App, "punch-ledger", TimeSpan.FromSeconds(120));
        }
        await Eventually(() => world.Acked("SUCCESS") == events.Count, "the redelivered events are acknowledged SUCCESS after recovery");
        var punches = await world.PunchesAsync(person);
        Assert.Equal(events, punches.Select(p => p.SourceEventId).Order());
        Assert.True((await world.StatusAsync()).EventsDeferred >= events.Count);
    }

    [Fact]
    public async Task The_connectors_calls_carry_identitys_tokens_so_while_identity_is_down_a_new_tenants_events_wait_and_none_is_lost()
    {
        // The connector has no token of a tenant before its first punch, and it only gets one from identity: with identity
        // stopped, the events are answered LATER and nothing reaches the ledger (a token the connector signed itself would
        // have been accepted); once identity is back they are recorded once, as identity's service client.
        using var world = await ConnectedAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-identity", person);
        Assert.Empty(await world.PunchesAsync(person)); // the ledger has validated a token of the gateway's by now

        var events = Enumerable.Range(0, 3).Select(i => $"rec-identity-{i}").ToList();
        await ResourceFaults.StopAsync(fixture.App, "identity", TimeSpan.FromSeconds(60));
        try
        {
            foreach (var (id, i) in events.Select((id, i) => (id, i)))
                world.DingTalk.PublishCheckRecords(world.ClientId, [("u-identity", OnMonday(9, 3).AddMinutes(i), id)], eventId: id);
            try
            {
                await Eventually(() => events.All(id => world.DingTalk.Acks(world.ClientId).Any(a => a.EventId == id && a.Status == "LATER")),
                    "each event is acknowledged LATER while identity is down");
            }
            catch (Xunit.Sdk.XunitException e)
            {
                var acks = string.Join(", ", world.DingTalk.Acks(world.ClientId).Select(a => $"{a.EventId}={a.Status}"));
                throw new Xunit.Sdk.XunitException($"{e.Message} Acks: {acks}{Environment.NewLine}" +
                    $"{await fixture.LogTailAsync(DingTalkAppFixture.Connector)}{Environment.NewLine}----{Environment.NewLine}{await fixture.LogTailAsync(DingTalkAppFixture.SecondReplica)}");
            }
            Assert.Equal(0, world.Acked("SUCCESS"));
            Assert.Empty(await world.PunchesAsync(person));
        }
        finally
        {
            await ResourceFaults.StartAsync(fixture.App, "identity", TimeSpan.FromSeconds(120));
        }
        await Eventually(() => world.DingTalk.Pending(world.ClientId) == 0, "the redelivered events are acknowledged SUCCESS once identity is back");
        Assert.Equal(events, (await world.PunchesAsync(person)).Select(p => p.SourceEventId).Order());

        // The ledger's audit log names identity's service client of the connector as the one who recorded them.
        var audit = await new HrmsAttendance.Contracts.Audit.V1.AuditLog.AuditLogClient(world.Channel).ListAuditEntriesAsync(
            new() { Action = "punches.recorded", PageSize = 50 }, world.AsAdmin());
        Assert.Equal(["service:" + DingTalkAppFixture.Connector], audit.Entries.Select(e => e.Actor).Distinct());
        // And the connector said why it waited.
        var logs = string.Join('\n', (await fixture.LogsAsync(DingTalkAppFixture.Connector)).Concat(await fixture.LogsAsync(DingTalkAppFixture.SecondReplica)));
        Assert.Contains($"no service token for tenant {world.Tenant} from identity", logs);
    }

    [Fact]
    public async Task Events_that_arrive_together_are_stored_as_one_batch_and_each_is_acknowledged_only_once_its_punch_is_durable()
    {
        using var world = await ConnectedAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-batch", person);
        var database = (await fixture.App.GetConnectionStringAsync("attendance"))!;

        // When the fake reads a SUCCESS, the event's punch must already be committed: in the ledger or parked.
        var answeredEarly = new System.Collections.Concurrent.ConcurrentBag<string>();
        world.DingTalk.ObserveAnswers(world.ClientId, async ack =>
        {
            if (ack.Status == "SUCCESS" && !await StoredAsync(database, world.Tenant, ack.EventId)) answeredEarly.Add(ack.EventId);
        });
        const int events = 40;
        for (var i = 0; i < events; i++)
            world.DingTalk.PublishCheckRecords(world.ClientId,
                [(i % 2 == 0 ? "u-batch" : "u-batch-unlinked", OnMonday(7, 0).AddMinutes(i), $"rec-batch-{i}")], eventId: $"rec-batch-{i}");
        await Eventually(() => world.DingTalk.Pending(world.ClientId) == 0, "every event is acknowledged SUCCESS");

        Assert.Empty(answeredEarly);
        Assert.Equal(events, world.Acked("SUCCESS"));
        Assert.Equal(events / 2, (await world.PunchesAsync(person)).Count);
        Assert.Equal(events / 2, (await world.StatusAsync()).ParkedPunches);
        // The ledger recorded the linked half in fewer transactions than punches (created_at is the transaction's time):
        // frames that arrived together went to one SubmitPunches.
        var transactions = await LedgerTransactionsAsync(database, world.Tenant, "rec-batch-");
        Assert.True(transactions < events / 2, $"{events / 2} punches in {transactions} ledger transactions: no two frames were stored together");
    }

    [Fact]
    public async Task A_punchs_trace_in_the_dashboard_runs_from_the_WebSocket_frame_to_the_ledgers_Postgres_commands()
    {
        using var world = await ConnectedAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-trace", person);
        world.DingTalk.PublishCheckRecords(world.ClientId, [("u-trace", OnMonday(10, 0), "rec-trace")], eventId: "rec-trace");
        await EventuallyAsync(async () => (await world.PunchesAsync(person)).Count == 1, "the punch is recorded");

        // The ledger keeps the traceparent of the call that wrote an event with its outbox row: the frame's trace.
        var database = (await fixture.App.GetConnectionStringAsync("attendance"))!;
        var traceParent = await ScalarAsync<string>(database, world.Tenant, """
            SELECT o.trace_parent FROM staffing.outbox o JOIN staffing.time_punch_events e ON e.id = ANY (o.event_ids)
            WHERE e.tenant_id = $1 AND e.source_provider = 'DINGTALK' AND e.source_event_id = $2
            """, "rec-trace");
        var traceId = traceParent.Split('-')[1];

        const string frameSpan = "DingTalk EVENT attendance_check_record";
        var spans = await fixture.Telemetry.WaitForTraceAsync(traceId,
            t => t.Any(s => s.Name == frameSpan) && t.Any(s => s.Service == "punch-ledger" && s.Scope == "Npgsql"),
            TimeSpan.FromSeconds(60));
        var byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        IEnumerable<TraceSpan> Ancestors(TraceSpan span)
        {
            for (var at = span; at.ParentSpanId is { Length: > 0 } parent && byId.TryGetValue(parent, out var up); at = up) yield return up;
        }

        var frame = Assert.Single(spans, s => s.Name == frameSpan);
        Assert.StartsWith("dingtalk-connector", frame.Service);
        Assert.Equal(5, frame.Kind); // OTLP kind 5 = consumer: the frame from DingTalk
        // Down the same trace: the connector's store of the frame, its SubmitPunches, the ledger's server span, the ledger's SQL.
        var sql = spans.Where(s => s.Service == "punch-ledger" && s.Scope == "Npgsql").ToList();
        Assert.Contains(sql, s => Ancestors(s).Any(a => a.SpanId == frame.SpanId)
                                  && Ancestors(s).Any(a => a.Service == "punch-ledger" && a.IsServer && a.Name.Contains("SubmitPunches", StringComparison.Ordinal))
                                  && Ancestors(s).Any(a => a.Service.StartsWith("dingtalk-connector", StringComparison.Ordinal) && a.Name.StartsWith("DingTalk store", StringComparison.Ordinal)));
    }

    /// <summary>Whether the platform punch is committed in the ledger or in the connector's parked punches (read as the owner, under the tenant's RLS).</summary>
    private static async Task<bool> StoredAsync(string database, Guid tenant, string sourceEventId) =>
        await ScalarAsync<bool>(database, tenant, """
            SELECT EXISTS (SELECT 1 FROM staffing.time_punch_events WHERE tenant_id = $1 AND source_provider = 'DINGTALK' AND source_event_id = $2)
                OR EXISTS (SELECT 1 FROM dingtalk.parked_punches WHERE tenant_id = $1 AND source_event_id = $2)
            """, sourceEventId);

    private static async Task<long> LedgerTransactionsAsync(string database, Guid tenant, string sourceEventIdPrefix) =>
        await ScalarAsync<long>(database, tenant, """
            SELECT count(DISTINCT created_at) FROM staffing.time_punch_events
            WHERE tenant_id = $1 AND source_provider = 'DINGTALK' AND starts_with(source_event_id, $2)
            """, sourceEventIdPrefix);

    private static async Task<T> ScalarAsync<T>(string database, Guid tenant, string sql, string argument)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new Npgsql.NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, transaction))
        {
            set.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.ToString() });
            await set.ExecuteNonQueryAsync();
        }
        await using var query = new Npgsql.NpgsqlCommand(sql, connection, transaction);
        query.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant });
        query.Parameters.Add(new Npgsql.NpgsqlParameter { Value = argument });
        return (T)(await query.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task An_unmapped_users_punches_are_parked_then_replayed_when_linked_with_the_results_of_the_same_punches_entered_by_hand()
    {
        using var world = await ConnectedAsync(fixture);
        var viaDingTalk = await world.NewPersonAsync();
        var byHand = await world.NewPersonAsync();
        var times = new[] { OnMonday(9, 7), OnMonday(12, 30), OnMonday(17, 55) };

        // Delivered twice: parked once, counted once.
        for (var delivery = 0; delivery < 2; delivery++)
            world.DingTalk.PublishCheckRecords(world.ClientId, times.Select((t, i) => ("u-later", t, $"rec-later-{i}")), eventId: "evt-later");
        await Eventually(() => world.Acked("SUCCESS") == 2, "both deliveries are acknowledged SUCCESS once parked");
        Assert.Empty(await world.PunchesAsync(viaDingTalk));
        Assert.Equal(3, (await world.StatusAsync()).ParkedPunches);
        var unmapped = await new IdentityMappingClient(world.Channel).ListUnmappedAsync(
            new ListUnmappedRequest { Provider = IdentityProvider.Dingtalk }, world.AsAdmin());
        Assert.Equal(3, Assert.Single(unmapped.Identities, u => u.ExternalUserId == "u-later").ParkedPunchCount);

        await world.LinkAsync("u-later", viaDingTalk);
        await EventuallyAsync(async () => (await world.PunchesAsync(viaDingTalk)).Count == 3, "the parked punches are replayed into the ledger");
        // The ledger has them before the replay marks them REPLAYED (the same pass, a moment later).
        await EventuallyAsync(async () => (await world.StatusAsync()) is { ParkedPunches: 0, ReplayedPunches: 3 },
            "the parked punches are marked replayed");
        // The link's message reached the consumer (which replays, unless the periodic sweep happened to be first).
        await EventuallyAsync(() => LoggedAsync($"ExternalIdentityLinked (DINGTALK) of tenant {world.Tenant}"), "the ExternalIdentityLinked consumer ran");

        var manual = new SubmitPunchesRequest();
        manual.Punches.AddRange(times.Select((t, i) => new PunchInput
        {
            PersonUuid = byHand.ToString("D"),
            PunchTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(t),
            PunchType = PunchType.Raw,
            SourceProvider = SourceProvider.Manual,
            RequestId = $"manual-{byHand:N}-{i}",
        }));
        await new PunchLedgerClient(world.Channel).SubmitPunchesAsync(manual, world.AsAdmin());

        var results = new DailyResultsClient(world.Channel);
        var fromDingTalk = await results.GetDailyResultAsync(new GetDailyResultRequest { PersonUuid = viaDingTalk.ToString("D"), WorkDate = "2026-03-02" }, world.AsAdmin());
        var fromHand = await results.GetDailyResultAsync(new GetDailyResultRequest { PersonUuid = byHand.ToString("D"), WorkDate = "2026-03-02" }, world.AsAdmin());
        Assert.Equal(3, fromDingTalk.InputPunchCount);
        Assert.Equal(Comparable(fromHand), Comparable(fromDingTalk));
    }

    [Fact]
    public async Task Two_tenants_never_see_each_others_punches_or_settings_and_each_stream_has_one_consumer()
    {
        using var first = await ConnectedAsync(fixture);
        using var second = await ConnectedAsync(fixture);
        var firstPerson = await first.NewPersonAsync();
        var secondPerson = await second.NewPersonAsync();
        await first.LinkAsync("u-same", firstPerson);
        await second.LinkAsync("u-same", secondPerson);

        first.DingTalk.PublishCheckRecords(first.ClientId, [("u-same", OnMonday(9, 3), "rec-same")]);
        await Eventually(() => first.Acked("SUCCESS") == 1, "the first tenant's event is acknowledged");

        Assert.Single(await first.PunchesAsync(firstPerson));
        Assert.Empty(await second.PunchesAsync(secondPerson));
        var secondStatus = await second.StatusAsync();
        Assert.Equal(0, secondStatus.EventsAcknowledged);
        var settings = await new DingTalkIntegrationClient(second.Channel).GetSettingsAsync(new(), second.AsAdmin());
        Assert.Equal(second.ClientId, settings.ClientId);
        Assert.True(settings.ClientSecretSet);

        // Two replicas run; each tenant's stream was only ever held by one connection at a time.
        Assert.Equal(1, first.DingTalk.Connections(first.ClientId).MostAtOnce);
        Assert.Equal(1, second.DingTalk.Connections(second.ClientId).MostAtOnce);

        // The secrets went in through the gateway and out to DingTalk, and into no log on the way.
        foreach (var resource in new[] { DingTalkAppFixture.Connector, DingTalkAppFixture.SecondReplica, "gateway" })
        {
            var logs = await fixture.LogsAsync(resource);
            Assert.NotEmpty(logs);
            Assert.DoesNotContain(logs, line => line.Contains(first.ClientSecret, StringComparison.Ordinal) || line.Contains(second.ClientSecret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task When_the_replica_holding_a_stream_is_killed_the_stream_moves_to_a_replica_with_a_larger_fencing_token()
    {
        using var world = await ConnectedAsync(fixture);
        var person = await world.NewPersonAsync();
        await world.LinkAsync("u-over", person);
        var before = await world.StatusAsync();
        var holderPid = int.Parse(before.Holder.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture);
        string? holder = null;
        foreach (var replica in new[] { DingTalkAppFixture.Connector, DingTalkAppFixture.SecondReplica })
        {
            var wrapper = (await fixture.App.WaitHealthyAsync(replica, TimeSpan.FromSeconds(60))).ProcessId();
            if (wrapper == holderPid || ProcessTree.DescendantsOf(wrapper!.Value).Any(p => p.Pid == holderPid)) holder = replica;
        }
        Assert.NotNull(holder);

        // SIGKILL: the lease is not released; it runs out (DingTalkAppFixture.LeaseDuration) and a replica takes it.
        await ResourceFaults.KillAndRestartAsync(fixture.App, holder, "DingTalkConnector", TimeSpan.FromSeconds(120));
        world.DingTalk.PublishCheckRecords(world.ClientId, [("u-over", OnMonday(9, 4), "rec-over")]);
        await Eventually(() => world.Acked("SUCCESS") == 1, "the event is acknowledged by the replica that took the stream over");

        Assert.Single(await world.PunchesAsync(person));
        var after = await world.StatusAsync();
        Assert.NotEqual(before.Holder, after.Holder);
        Assert.True(after.FencingToken > before.FencingToken, $"fencing token {after.FencingToken} after {before.FencingToken}");
        Assert.Equal(1, world.DingTalk.Connections(world.ClientId).MostAtOnce);
    }

    [Fact]
    public async Task Parked_punches_whose_link_message_was_lost_are_replayed_by_the_sweep()
    {
        using var world = await ConnectedAsync(fixture);
        var person = await world.NewPersonAsync();
        world.DingTalk.PublishCheckRecords(world.ClientId, [("u-lost", OnMonday(9, 5), "rec-lost")]);
        await Eventually(() => world.Acked("SUCCESS") == 1, "the punch is parked and acknowledged");

        // The link's ExternalIdentityLinked is lost: the connector's queue is unbound from the message's exchange while
        // identity-mapping publishes it (MassTransit binds the message exchange to an exchange named after the queue).
        await using (var broker = await BrokerQueue.OpenAsync(fixture.App, Queue))
        {
            var probe = await broker.ProbeAsync(LinkedExchange);
            await broker.UnbindAsync(LinkedExchange);
            try
            {
                await world.LinkAsync("u-lost", person);
                // Rebound only once identity-mapping's relay has published the message (a probe queue got it), however
                // slow the relay is under load: it never reaches the connector's queue.
                await EventuallyAsync(() => broker.ProbeReceivedAsync(probe, world.Tenant.ToString()),
                    "identity-mapping publishes ExternalIdentityLinked");
            }
            finally
            {
                await broker.BindAsync(LinkedExchange);
            }
        }

        await EventuallyAsync(async () => (await world.PunchesAsync(person)).Count == 1, "the sweep replays the parked punch");
        // The sweep logs after its replays: the punch can be in the ledger before the line is in the replica's log.
        await EventuallyAsync(() => LoggedAsync($"sweep of tenant {world.Tenant}"), "the replay came from the sweep");
        Assert.False(await LoggedAsync($"ExternalIdentityLinked (DINGTALK) of tenant {world.Tenant}"), "the link message was lost");
        Assert.Equal(1, (await world.StatusAsync()).ReplayedPunches);
    }

    private const string Queue = "dingtalk-connector-parked-punch-replay";
    private const string LinkedExchange = "attendance.identity.v1.external-identity-linked";

    private async Task<bool> LoggedAsync(string text)
    {
        foreach (var replica in new[] { DingTalkAppFixture.Connector, DingTalkAppFixture.SecondReplica })
            if ((await fixture.LogsAsync(replica)).Any(line => line.Contains(text, StringComparison.Ordinal)))
                return true;
        return false;
    }

    private static object Comparable(DailyResult r) => new
    {
        r.Status,
        Flags = string.Join(",", r.Flags),
        r.FirstInTime,
        r.LastOutTime,
        r.WorkedMinutes,
        r.LateMinutes,
        r.EarlyLeaveMinutes,
        r.InputPunchCount,
    };
}

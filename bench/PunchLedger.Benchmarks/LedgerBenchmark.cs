using System.Diagnostics;
using HrmsAttendance.Tests.Shared;
using HrmsAttendance.PunchLedger.Data;
using HrmsAttendance.PunchLedger.Database;
using Npgsql;
using NpgsqlTypes;

namespace HrmsAttendance.PunchLedger.Benchmarks;

/// <summary>Runs each measurement for a fixed time on N concurrent workers and reports rows/s.</summary>
public sealed class LedgerBenchmark(NpgsqlDataSource app, NpgsqlDataSource owner, BenchmarkOptions options)
{
    private static readonly Guid Tenant = Guid.NewGuid();
    private int seed;

    public static async Task<LedgerBenchmark> CreateAsync(TestDatabase database, BenchmarkOptions options)
    {
        NpgsqlDataSource Pool(string cs) => new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(cs)
            {
                MaxPoolSize = options.Connections,
                NoResetOnClose = true,
                // --prepare true: every statement, door and baseline alike, prepared after its second use.
                MaxAutoPrepare = options.Prepare ? 20 : 0,
                AutoPrepareMinUsages = 2,
            }.ConnectionString).Build();
        var owner = Pool(database.OwnerConnectionString);
        // The baseline: the same columns as the ledger's event table, no index, no constraint, no trigger.
        await using (var create = owner.CreateCommand("""
            CREATE SCHEMA IF NOT EXISTS bench;
            CREATE TABLE IF NOT EXISTS bench.bare_punches(
              tenant_id uuid, person_uuid uuid, punch_time timestamptz, punch_type text, source_provider text,
              source_event_id text, request_id text, payload jsonb);
            """))
            await create.ExecuteNonQueryAsync();
        await using (var create = owner.CreateCommand(CeilingSql)) await create.ExecuteNonQueryAsync();
        return new LedgerBenchmark(Pool(database.ConnectionStringFor(PunchLedgerDatabase.AppRole)), owner, options);
    }

    public async Task<BenchmarkReport> RunAsync()
    {
        var report = new BenchmarkReport(options);
        // Warm-up: JIT, pools, plan caches.
        await MeasureAsync("warm-up", 1, SingleDoorAsync);
        await MeasureAsync("warm-up", 1, SingleInsertAsync);
        for (var round = 1; round <= options.Rounds; round++)
        {
            report.Add("single INSERT (baseline)", await MeasureAsync($"round {round}", 1, SingleInsertAsync));
            report.Add("single punch via door", await MeasureAsync($"round {round}", 1, SingleDoorAsync));
            report.Add("COPY (baseline)", await MeasureAsync($"round {round}", options.BatchSize * 10, CopyAsync));
            report.Add("batch door", await MeasureAsync($"round {round}", options.BatchSize, BatchDoorAsync));
            if (options.Import)
            {
                report.Add("COPY, import-shaped (baseline)", await MeasureAsync($"round {round}", options.BatchSize, ImportCopyAsync));
                var (door, ceiling) = await MeasureAlternatingAsync(options.BatchSize, ImportBatchDoorAsync, ImportIndexedCopyAsync);
                report.Add("batch door, import-shaped", door);
                report.Add("COPY events+results, indexed (ceiling)", ceiling);
                Console.WriteLine($"  {"door / ceiling, this round",-28} {door / ceiling,12:F2}");
            }
            if (options.AuditCost)
            {
                // What the audit log's trigger (0019_audit_log.sql) costs the doors: the same calls with it switched off.
                await SetAuditTriggerAsync(enabled: false);
                report.Add("single punch via door, no audit", await MeasureAsync($"round {round}", 1, SingleDoorAsync));
                report.Add("batch door, no audit", await MeasureAsync($"round {round}", options.BatchSize, BatchDoorAsync));
                await SetAuditTriggerAsync(enabled: true);
            }
            if (!options.Ceilings) continue;
            report.Add("do-nothing door (ceiling)", await MeasureAsync($"round {round}", 1, NothingDoorAsync));
            report.Add("event-only door (ceiling)", await MeasureAsync($"round {round}", 1, EventOnlyDoorAsync));
            report.Add("indexed INSERT (ceiling)", await MeasureAsync($"round {round}", options.BatchSize, IndexedInsertAsync));
        }
        return report;
    }

    private async Task SetAuditTriggerAsync(bool enabled)
    {
        await using var command = owner.CreateCommand(
            $"ALTER TABLE staffing.time_punch_events {(enabled ? "ENABLE" : "DISABLE")} TRIGGER time_punch_events_audit");
        await command.ExecuteNonQueryAsync();
    }

    private async Task SingleDoorAsync(PunchGenerator generator, CancellationToken _)
    {
        var store = new PunchStore(app);
        await store.SubmitAsync(Tenant, null, generator.Next(), CancellationToken.None);
    }

    private async Task BatchDoorAsync(PunchGenerator generator, CancellationToken _)
    {
        var store = new PunchStore(app);
        var outcomes = await store.SubmitBatchAsync(Tenant, null, generator.Take(options.BatchSize), CancellationToken.None);
        if (outcomes.Any(o => o.Outcome != "ACCEPTED"))
            throw new InvalidOperationException($"batch door rejected rows: {outcomes.First(o => o.Outcome != "ACCEPTED")}");
    }

    private async Task ImportBatchDoorAsync(PunchGenerator generator, CancellationToken _)
    {
        var store = new PunchStore(app);
        var outcomes = await store.SubmitBatchAsync(Tenant, null, generator.TakeImportShaped(options.BatchSize), CancellationToken.None);
        if (outcomes.Any(o => o.Outcome != "ACCEPTED"))
            throw new InvalidOperationException($"batch door rejected rows: {outcomes.First(o => o.Outcome != "ACCEPTED")}");
    }

    /// <summary>The same import-shaped rows, COPY into the unindexed table: the baseline of the import ratio.</summary>
    private async Task ImportCopyAsync(PunchGenerator generator, CancellationToken _)
    {
        await using var connection = await owner.OpenConnectionAsync();
        await CopyPunchesAsync(connection, "bench.bare_punches", generator.TakeImportShaped(options.BatchSize));
    }

    /// <summary>
    /// The least any door must write for an import-shaped batch, with nothing computed: the events by COPY into a copy of
    /// the ledger's event table (its indexes, defaults and checks) and one result row per (person, work date) by COPY into
    /// a copy of the results table (its two indexes and checks), in one transaction. No RLS, idempotency, lock, reading
    /// back, rules or outbox.
    /// </summary>
    private async Task ImportIndexedCopyAsync(PunchGenerator generator, CancellationToken _)
    {
        var punches = generator.TakeImportShaped(options.BatchSize);
        await using var connection = await owner.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await CopyPunchesAsync(connection,
            "bench.indexed_punches (tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id, request_id, payload)", punches);
        await using (var results = await connection.BeginBinaryImportAsync(
            "COPY bench.indexed_results (tenant_id, person_uuid, work_date, ruleset_version, status, worked_minutes, input_punch_count) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var day in punches.GroupBy(p => (p.PersonUuid, Date: DateOnly.FromDateTime(p.PunchTime.ToOffset(TimeSpan.FromHours(8)).DateTime))))
            {
                await results.StartRowAsync();
                await results.WriteAsync(Tenant, NpgsqlDbType.Uuid);
                await results.WriteAsync(day.Key.PersonUuid, NpgsqlDbType.Uuid);
                await results.WriteAsync(day.Key.Date, NpgsqlDbType.Date);
                await results.WriteAsync("STANDARD_SHIFT_V1", NpgsqlDbType.Text);
                await results.WriteAsync("PRESENT", NpgsqlDbType.Text);
                await results.WriteAsync(540, NpgsqlDbType.Integer);
                await results.WriteAsync(day.Count(), NpgsqlDbType.Integer);
            }
            await results.CompleteAsync();
        }
        await transaction.CommitAsync();
    }

    /// <summary>
    /// What a door costs before it does anything: the single door's exact call (one statement with
    /// set_config, as <see cref="PunchStore"/> sends it, as the service role) into a SECURITY DEFINER
    /// plpgsql function with a pinned search_path that only inserts the row into an unindexed table.
    /// </summary>
    private Task NothingDoorAsync(PunchGenerator generator, CancellationToken _) => CeilingDoorAsync("bench.do_nothing_door", generator);

    /// <summary>
    /// The least a door that records the event must do, without the rules: the same call into a
    /// SECURITY DEFINER function that inserts the punch into a copy of the event table (its indexes,
    /// defaults and checks) with the door's ON CONFLICT DO NOTHING, and returns the new id and UUID.
    /// No RLS, lock, argument checks, projection or outbox.
    /// </summary>
    private Task EventOnlyDoorAsync(PunchGenerator generator, CancellationToken _) => CeilingDoorAsync("bench.event_only_door", generator);

    private async Task CeilingDoorAsync(string function, PunchGenerator generator)
    {
        var p = generator.Next();
        await using var command = app.CreateCommand($"""
            SELECT d.event_uuid, d.duplicate
            FROM set_config('app.current_tenant', $1, true) AS t(tenant)
            CROSS JOIN LATERAL {function}(t.tenant::uuid, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) AS d
            """);
        foreach (var value in new object[] { Tenant.ToString(), p.PersonUuid, p.PunchTime.UtcDateTime, p.PunchType, p.SourceProvider, DBNull.Value, p.RequestId, p.PayloadJson, DBNull.Value })
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
    }

    /// <summary>
    /// The ledger's indexes alone: the batch's rows, sent as the batch door gets them (arrays), inserted
    /// into a copy of the event table with its indexes, defaults and checks (no RLS, no door, no
    /// idempotency handling, no projection, no outbox).
    /// </summary>
    private async Task IndexedInsertAsync(PunchGenerator generator, CancellationToken _)
    {
        var punches = generator.Take(options.BatchSize);
        await using var command = owner.CreateCommand("""
            INSERT INTO bench.indexed_punches
              (tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id, request_id, payload)
            SELECT $1, u.* FROM unnest($2, $3, $4, $5, $6, $7, $8) AS u
            """);
        foreach (var value in new object[]
                 {
                     Tenant, punches.Select(p => p.PersonUuid).ToArray(), punches.Select(p => p.PunchTime.UtcDateTime).ToArray(),
                     punches.Select(p => p.PunchType).ToArray(), punches.Select(p => p.SourceProvider).ToArray(),
                     punches.Select(p => p.SourceEventId).ToArray(), punches.Select(p => p.RequestId).ToArray(),
                     punches.Select(p => p.PayloadJson).ToArray(),
                 })
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        command.Parameters[5].NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text;
        command.Parameters[7].NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb;
        await command.ExecuteNonQueryAsync();
    }

    private const string CeilingSql = $$"""
        CREATE TABLE IF NOT EXISTS bench.indexed_punches (LIKE staffing.time_punch_events INCLUDING ALL);
        CREATE TABLE IF NOT EXISTS bench.indexed_results (LIKE staffing.daily_attendance_results INCLUDING ALL);
        CREATE TABLE IF NOT EXISTS bench.door_rows (LIKE bench.bare_punches);
        CREATE OR REPLACE FUNCTION bench.do_nothing_door(
          p_tenant_id uuid, p_person_uuid uuid, p_punch_time timestamptz, p_punch_type text, p_source_provider text,
          p_source_event_id text, p_request_id text, p_payload jsonb, p_initiator_id text,
          OUT event_id bigint, OUT event_uuid uuid, OUT duplicate boolean)
        LANGUAGE plpgsql
        SECURITY DEFINER
        SET search_path = pg_catalog, staffing
        AS $$
        BEGIN
          INSERT INTO bench.door_rows VALUES (p_tenant_id, p_person_uuid, p_punch_time, p_punch_type, p_source_provider,
                                              p_source_event_id, p_request_id, p_payload);
          event_id := 0;
          event_uuid := p_person_uuid;
          duplicate := false;
        END;
        $$;
        CREATE TABLE IF NOT EXISTS bench.indexed_events (LIKE staffing.time_punch_events INCLUDING ALL);
        CREATE OR REPLACE FUNCTION bench.event_only_door(
          p_tenant_id uuid, p_person_uuid uuid, p_punch_time timestamptz, p_punch_type text, p_source_provider text,
          p_source_event_id text, p_request_id text, p_payload jsonb, p_initiator_id text,
          OUT event_id bigint, OUT event_uuid uuid, OUT duplicate boolean)
        LANGUAGE plpgsql
        SECURITY DEFINER
        SET search_path = pg_catalog, staffing
        AS $$
        BEGIN
          INSERT INTO bench.indexed_events AS e
            (tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id, request_id, payload, initiator_id)
          VALUES (p_tenant_id, p_person_uuid, p_punch_time, p_punch_type, p_source_provider, p_source_event_id,
                  p_request_id, p_payload, p_initiator_id)
          ON CONFLICT DO NOTHING
          RETURNING e.id, e.event_uuid INTO event_id, event_uuid;
          duplicate := NOT FOUND;
        END;
        $$;
        GRANT USAGE ON SCHEMA bench TO {{PunchLedgerDatabase.AppRole}};
        GRANT EXECUTE ON FUNCTION bench.event_only_door(uuid, uuid, timestamptz, text, text, text, text, jsonb, text)
          TO {{PunchLedgerDatabase.AppRole}};
        GRANT EXECUTE ON FUNCTION bench.do_nothing_door(uuid, uuid, timestamptz, text, text, text, text, jsonb, text)
          TO {{PunchLedgerDatabase.AppRole}};
        """;

    private async Task SingleInsertAsync(PunchGenerator generator, CancellationToken _)
    {
        var p = generator.Next();
        await using var command = owner.CreateCommand(
            "INSERT INTO bench.bare_punches VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)");
        foreach (var value in Row(p)) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }

    private async Task CopyAsync(PunchGenerator generator, CancellationToken _)
    {
        await using var connection = await owner.OpenConnectionAsync();
        await CopyPunchesAsync(connection, "bench.bare_punches", generator.Take(options.BatchSize * 10));
    }

    private static async Task CopyPunchesAsync(NpgsqlConnection connection, string table, IEnumerable<PunchCommand> rows)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} FROM STDIN (FORMAT BINARY)");
        foreach (var p in rows)
        {
            await importer.StartRowAsync();
            await importer.WriteAsync(Tenant, NpgsqlDbType.Uuid);
            await importer.WriteAsync(p.PersonUuid, NpgsqlDbType.Uuid);
            await importer.WriteAsync(p.PunchTime.UtcDateTime, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(p.PunchType, NpgsqlDbType.Text);
            await importer.WriteAsync(p.SourceProvider, NpgsqlDbType.Text);
            await importer.WriteNullAsync();
            await importer.WriteAsync(p.RequestId, NpgsqlDbType.Text);
            await importer.WriteAsync(p.PayloadJson, NpgsqlDbType.Jsonb);
        }
        await importer.CompleteAsync();
    }

    private static object[] Row(PunchCommand p) =>
        [Tenant, p.PersonUuid, p.PunchTime.UtcDateTime, p.PunchType, p.SourceProvider, DBNull.Value, p.RequestId, p.PayloadJson];

    /// <summary>
    /// Runs <paramref name="operation"/> on every worker until the time is up; each call stands
    /// for <paramref name="rowsPerCall"/> rows. Workers own disjoint persons, as separate
    /// employees punching at the same time would.
    /// </summary>
    private async Task<double> MeasureAsync(string label, int rowsPerCall,
        Func<PunchGenerator, CancellationToken, Task> operation)
    {
        var deadline = TimeSpan.FromSeconds(label == "warm-up" ? Math.Min(2, options.Seconds) : options.Seconds);
        var (calls, elapsed) = await RunAsync(operation, await NewGeneratorsAsync(), deadline);
        return calls * rowsPerCall / elapsed.TotalSeconds;
    }

    /// <summary>
    /// Runs two operations for <see cref="BenchmarkOptions.Seconds"/> each, in <see cref="BenchmarkOptions.Slices"/>
    /// alternating slices (first, second, second, first, …), and reports both rates. On a shared host the machine's
    /// speed drifts within seconds, so two measurements taken one after the other can differ by more than what is being
    /// compared; slices this short see the same machine.
    /// </summary>
    private async Task<(double First, double Second)> MeasureAlternatingAsync(int rowsPerCall,
        Func<PunchGenerator, CancellationToken, Task> first, Func<PunchGenerator, CancellationToken, Task> second)
    {
        var (firstGenerators, secondGenerators) = (await NewGeneratorsAsync(), await NewGeneratorsAsync());
        var slice = TimeSpan.FromSeconds(options.Seconds / options.Slices);
        long firstCalls = 0, secondCalls = 0;
        TimeSpan firstTime = TimeSpan.Zero, secondTime = TimeSpan.Zero;
        for (var i = 0; i < options.Slices; i++)
        {
            for (var turn = 0; turn < 2; turn++)
            {
                if ((i + turn) % 2 == 0)
                {
                    var (calls, elapsed) = await RunAsync(first, firstGenerators, slice);
                    (firstCalls, firstTime) = (firstCalls + calls, firstTime + elapsed);
                }
                else
                {
                    var (calls, elapsed) = await RunAsync(second, secondGenerators, slice);
                    (secondCalls, secondTime) = (secondCalls + calls, secondTime + elapsed);
                }
            }
        }
        return (firstCalls * rowsPerCall / firstTime.TotalSeconds, secondCalls * rowsPerCall / secondTime.TotalSeconds);
    }

    /// <summary>
    /// One generator per worker over new persons (so each measurement starts on days without results, as before),
    /// registered through identity-mapping's door before any clock starts.
    /// </summary>
    private async Task<PunchGenerator[]> NewGeneratorsAsync()
    {
        var perWorker = options.Persons / options.Connections;
        var people = await TestPersons.CreateAsync(owner, Tenant, perWorker * options.Connections);
        return Enumerable.Range(0, options.Connections)
            .Select(worker => new PunchGenerator(people[(worker * perWorker)..((worker + 1) * perWorker)], Interlocked.Increment(ref seed)))
            .ToArray();
    }

    /// <summary>Every worker calls <paramref name="operation"/> until <paramref name="duration"/> has passed; the calls made, and the time until the last one ended.</summary>
    private static async Task<(long Calls, TimeSpan Elapsed)> RunAsync(
        Func<PunchGenerator, CancellationToken, Task> operation, PunchGenerator[] generators, TimeSpan duration)
    {
        var stopwatch = Stopwatch.StartNew();
        var workers = generators.Select(generator => Task.Run(async () =>
        {
            long calls = 0;
            while (stopwatch.Elapsed < duration)
            {
                await operation(generator, CancellationToken.None);
                calls++;
            }
            return calls;
        })).ToArray();
        var total = (await Task.WhenAll(workers)).Sum();
        return (total, stopwatch.Elapsed);
    }
}

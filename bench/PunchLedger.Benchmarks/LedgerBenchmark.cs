using System.Diagnostics;
using HrmsAttendance.Hosting.Postgres;
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

    public static async Task<LedgerBenchmark> CreateAsync(PostgresDatabase database, BenchmarkOptions options)
    {
        NpgsqlDataSource Pool(string cs) => new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = options.Connections, NoResetOnClose = true }.ConnectionString).Build();
        var owner = Pool(database.OwnerConnectionString);
        // The baseline: the same columns as the ledger's event table, no index, no constraint, no trigger.
        await using (var create = owner.CreateCommand("""
            CREATE SCHEMA IF NOT EXISTS bench;
            CREATE TABLE IF NOT EXISTS bench.bare_punches(
              tenant_id uuid, person_uuid uuid, punch_time timestamptz, punch_type text, source_provider text,
              source_event_id text, request_id text, payload jsonb);
            """))
            await create.ExecuteNonQueryAsync();
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
        }
        return report;
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
        var rows = generator.Take(options.BatchSize * 10);
        await using var connection = await owner.OpenConnectionAsync();
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY bench.bare_punches FROM STDIN (FORMAT BINARY)");
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
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Connections).Select(_ => Task.Run(async () =>
        {
            var generator = new PunchGenerator(options.Persons / options.Connections, Interlocked.Increment(ref seed));
            long calls = 0;
            while (stopwatch.Elapsed < deadline)
            {
                await operation(generator, CancellationToken.None);
                calls++;
            }
            return calls;
        })).ToArray();
        var totalCalls = (await Task.WhenAll(workers)).Sum();
        return totalCalls * rowsPerCall / stopwatch.Elapsed.TotalSeconds;
    }
}

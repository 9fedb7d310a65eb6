extern alias Ledger;
extern alias Identity;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using HrmsAttendance.Database;
using HrmsAttendance.Messaging.Outbox;
using HrmsAttendance.Import.Benchmarks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using ImportStore = Ledger::HrmsAttendance.PunchLedger.Imports.ImportStore;
using ImportOptions = Ledger::HrmsAttendance.PunchLedger.Imports.ImportOptions;
using PunchLedgerDatabase = Ledger::HrmsAttendance.PunchLedger.Database.PunchLedgerDatabase;
using IdentityMappingDatabase = Identity::HrmsAttendance.IdentityMapping.Database.IdentityMappingDatabase;

// The parse of an import (ImportStore.PrepareAsync + ParseAsync: the service's own code) against a private Postgres,
// without the AppHost, to see where its time goes inside Postgres: after each round (a new import of the same file) the
// statements' time, buffers and WAL from pg_stat_statements (nested statements included); auto_explain, if the server
// loads it, logs their plans. The benchmark's file and persons (bench/Import.Benchmarks: BenchFile, DingTalkExportBench),
// each person registered (and for --format dingtalk linked to its DingTalk user id) in a new tenant just before.
// The server: see bench/Import.Benchmarks/README.md ("2026-12-04 (late): staging") for the initdb and settings used.
// Usage: dotnet run -c Release --project bench/Import.Benchmarks/StagingProbe -- "Host=127.0.0.1;Port=55432;Username=postgres"
//          [--format csv|dingtalk] [--rounds 3] [--persons 2500] [--days 20] [--commit] [--parts 2] [--chunk-rows 2000]
// With --commit each round also commits its import (ImportStore.RequestCommitAsync + CommitAsync, the worker's calls;
// a new tenant each round, so every round records new punches) and shows the commit's statements the same way.
var superuser = args[0];
var commit = args.Contains("--commit");
args = [.. args.Where(a => a != "--commit")];
var format = "csv";
var rounds = 3;
var persons = 2500;
var days = 20;
var parts = new ImportOptions().CommitParts;
var chunkRows = new ImportOptions().CommitChunkRows;
for (var i = 1; i + 1 < args.Length; i += 2)
    switch (args[i])
    {
        case "--format": format = args[i + 1]; break;
        case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--persons": persons = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--days": days = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--parts": parts = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--chunk-rows": chunkRows = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
    }

const string Database = "attendance";
await using (var connection = new NpgsqlConnection(superuser))
{
    await connection.OpenAsync();
    await using var exists = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{Database}')", connection);
    if (!(bool)(await exists.ExecuteScalarAsync())!)
        await new NpgsqlCommand($"CREATE DATABASE {Database} ENCODING 'UTF8' TEMPLATE template0", connection).ExecuteNonQueryAsync();
}
var superuserDb = new NpgsqlConnectionStringBuilder(superuser) { Database = Database }.ConnectionString;
DatabaseLogin Login(string role) => new(role, "probe-" + role);
await DatabaseProvisioner.EnsureAsync(superuserDb, Database, Login(PunchLedgerDatabase.OwnerRole),
    [Login(PunchLedgerDatabase.AppRole), Login(PunchLedgerDatabase.ReaderRole), Login(IdentityMappingDatabase.AppRole)]);
string As(string role) => new NpgsqlConnectionStringBuilder(superuserDb) { Username = role, Password = Login(role).Password, MaxPoolSize = 40 }.ConnectionString;
await IdentityMappingDatabase.MigrateAsync(As(PunchLedgerDatabase.OwnerRole));
var applied = await PunchLedgerDatabase.MigrateAsync(As(PunchLedgerDatabase.OwnerRole));
Console.WriteLine($"migrations applied now: {string.Join(", ", applied)}");
await using (var connection = new NpgsqlConnection(superuserDb))
{
    await connection.OpenAsync();
    await new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection).ExecuteNonQueryAsync();
}

// A tenant with its persons (employee numbers; DingTalk user ids linked), as the benchmark registers them.
var tenant = Guid.NewGuid();
var runId = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.NextInt64()))[..8].ToLowerInvariant();
async Task RegisterAsync()
{
var registering = Stopwatch.StartNew();
await using (var identity = NpgsqlDataSource.Create(As(IdentityMappingDatabase.AppRole)))
await using (var connection = await identity.OpenConnectionAsync())
await using (var tx = await connection.BeginTransactionAsync())
{
    await new NpgsqlCommand($"SELECT set_config('app.current_tenant', '{tenant}', true)", connection, tx).ExecuteNonQueryAsync();
    for (var p = 0; p < persons; p++)
    {
        await using var create = new NpgsqlCommand("SELECT (person.create_person($1, $2)).person_uuid", connection, tx);
        create.Parameters.Add(new NpgsqlParameter { Value = $"L{runId}-{p}" });
        create.Parameters.Add(new NpgsqlParameter { Value = $"Person {p}" });
        var person = (Guid)(await create.ExecuteScalarAsync())!;
        if (format != "dingtalk") continue;
        await using var link = new NpgsqlCommand("SELECT person.link_identity('DINGTALK', $1, NULL, $2, 'probe')", connection, tx);
        link.Parameters.Add(new NpgsqlParameter { Value = DingTalkExportBench.UserIdOf(runId, p) });
        link.Parameters.Add(new NpgsqlParameter { Value = person });
        await link.ExecuteNonQueryAsync();
    }
    await tx.CommitAsync();
}
Console.WriteLine($"{persons} persons registered in {registering.Elapsed.TotalSeconds:F1} s");
}
await RegisterAsync();

var csv = BenchFile.Csv(persons, days, runId);
var bytes = format == "csv" ? Encoding.UTF8.GetBytes(csv) : DingTalkExportBench.Workbook(csv, runId);

await using var app = NpgsqlDataSource.Create(As(PunchLedgerDatabase.AppRole));
var store = new ImportStore(app, Options.Create(new ImportOptions { CommitParts = parts, CommitChunkRows = chunkRows }), TimeProvider.System, new OutboxSignal(), NullLogger<ImportStore>.Instance);
await using var statsConnection = new NpgsqlConnection(superuserDb);
await statsConnection.OpenAsync();
for (var round = 1; round <= rounds; round++)
{
    if (commit && round > 1)
    {
        tenant = Guid.NewGuid();
        await RegisterAsync();
    }
    await new NpgsqlCommand("SELECT pg_stat_statements_reset()", statsConnection).ExecuteNonQueryAsync();
    var prepared = await store.PrepareAsync(tenant, "probe", format, null, format == "csv" ? "probe.csv" : "probe.xlsx", new MemoryStream(bytes), CancellationToken.None);
    var clock = Stopwatch.StartNew();
    await store.ParseAsync(tenant, prepared.Batch.ImportId, CancellationToken.None);
    var parse = clock.Elapsed;
    var batch = await store.GetAsync(tenant, prepared.Batch.ImportId, CancellationToken.None);
    var audit = await store.AuditAsync(tenant, null, 5, CancellationToken.None);
    var steps = audit.First(a => a.ImportId == batch.ImportId && a.Action == "PARSED").Details;
    Console.WriteLine($"round {round}: {format}, {batch.RowsRead:N0} rows read, {batch.RowsValid:N0} valid, {batch.RowsInvalid:N0} invalid; parse {parse.TotalSeconds:F2} s; load {File.ReadAllText("/proc/loadavg")[..14]}");
    Console.WriteLine($"  {steps}");
    await TopStatementsAsync();
    if (!commit) continue;
    await new NpgsqlCommand("SELECT pg_stat_statements_reset()", statsConnection).ExecuteNonQueryAsync();
    await store.RequestCommitAsync(tenant, "probe", batch.ImportId, prepared.CommitToken, null, CancellationToken.None);
    clock.Restart();
    await store.CommitAsync(tenant, batch.ImportId, CancellationToken.None);
    var committed = await store.GetAsync(tenant, batch.ImportId, CancellationToken.None);
    var commitSteps = (await store.AuditAsync(tenant, null, 5, CancellationToken.None)).First(a => a.ImportId == batch.ImportId && a.Action == "COMMITTED").Details;
    Console.WriteLine($"round {round}: committed {committed.RowsAccepted:N0} in {clock.Elapsed.TotalSeconds:F2} s; load {File.ReadAllText("/proc/loadavg")[..14]}");
    Console.WriteLine($"  {commitSteps}");
    await TopStatementsAsync();
}
return 0;

async Task TopStatementsAsync()
{
    await using var top = new NpgsqlCommand("""
        SELECT calls, round(total_exec_time)::int, round((total_exec_time / calls)::numeric, 1), rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied,
               shared_blks_written, wal_records, pg_size_pretty(wal_bytes), wal_fpi, toplevel, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
        FROM pg_stat_statements WHERE total_exec_time > 20 ORDER BY total_exec_time DESC LIMIT 16
        """, statsConnection);
    await using var reader = await top.ExecuteReaderAsync();
    Console.WriteLine("  calls  total_ms  mean_ms    rows  blks_hit blks_read dirtied written  wal_recs   wal  fpi top query");
    while (await reader.ReadAsync())
        Console.WriteLine($"  {reader.GetInt64(0),5} {reader.GetInt32(1),9} {reader.GetDecimal(2),8} {reader.GetInt64(3),7} {reader.GetInt64(4),9} {reader.GetInt64(5),9} {reader.GetInt64(6),7} {reader.GetInt64(7),7} {reader.GetInt64(8),9} {reader.GetString(9),7} {reader.GetInt64(10),4} {(reader.GetBoolean(11) ? "T" : "n")}  {reader.GetString(12)}");
}

extern alias IdentityMappingService;
using HrmsAttendance.Tests.Shared;
using HrmsAttendance.PunchLedger.Benchmarks;
using HrmsAttendance.PunchLedger.Database;
using IdentityMappingDatabase = IdentityMappingService::HrmsAttendance.IdentityMapping.Database.IdentityMappingDatabase;

// Punch-ledger throughput as ratios against plain Postgres baselines measured in the same run,
// on the same server, with the same number of connections:
//   (1) single punches/s through the door     vs  single-row INSERTs/s into an unindexed table
//   (2) punches/s through the batch door      vs  COPY rows/s into an unindexed table
// Usage: dotnet run -c Release --project bench/PunchLedger.Benchmarks [-- --seconds 10 --connections 2 --rounds 3]
var options = BenchmarkOptions.Parse(args);
Console.WriteLine($"punch-ledger benchmark: {options}");

await using var server = await TestPostgresServer.StartTemporaryAsync();
var database = await server.EnsureDatabaseAsync("attendance", PunchLedgerDatabase.OwnerRole,
    [PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole, IdentityMappingDatabase.AppRole]);
// Identity mapping's first: the doors read its persons, and the punches' persons are registered through its door.
await IdentityMappingDatabase.MigrateAsync(database.OwnerConnectionString);
await PunchLedgerDatabase.MigrateAsync(database.OwnerConnectionString);

var bench = await LedgerBenchmark.CreateAsync(database, options);
var report = await bench.RunAsync();
report.Print(Console.Out);

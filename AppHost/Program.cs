using HrmsAttendance.AppHost;
using HrmsAttendance.Hosting;

// The topology: `dotnet run --project AppHost` runs it; the distributed tests boot the same one
// (DistributedApplicationTestingBuilder.CreateAsync<Program>). Options: `-- --help`.
// A new service joins with one AddProject line (its project in HrmsAttendance.sln), plus a ProjectReference
// in tests/AppHost.Tests so that it is built before the distributed tests, which run it without building.
if (args is [TokenCommand.Name, .. var tokenArgs])
    return TokenCommand.Run(tokenArgs, Console.Out, Console.Error);

var builder = DistributedApplication.CreateBuilder(args);

builder.AddDashboard();

var postgres = builder.AddPostgres("postgres");
var attendance = postgres.AddDatabase("attendance", ownerRole: "attendance_owner");
var redis = builder.AddRedis("redis");
var messaging = builder.AddRabbitMQ("messaging");

var punchLedger = builder.AddProject("punch-ledger", "services/PunchLedger")
       .WithReference(attendance, role: "punch_ledger_app")
       .WithMigrations(attendance)
       .WaitFor(attendance);

var identityMapping = builder.AddProject("identity-mapping", "services/IdentityMapping")
       .WithReference(attendance, role: "identity_mapping_app")
       .WithMigrations(attendance)
       .WaitFor(attendance);

// The read side of the ledger: its role's grant is a punch-ledger migration, so it starts once punch-ledger
// (migrated before it runs) is Running.
var dailyResults = builder.AddProject("daily-results", "services/DailyResults")
       .WithReference(attendance, role: "daily_results_app")
       .WaitFor(attendance)
       .WaitFor(punchLedger);

// The front door: tokens signed with a key the AppHost generates (`-- token` prints one), buckets in Redis,
// gRPC and /api routes to the three services.
builder.AddProject("gateway", "gateway")
       .WithDevelopmentTokens()
       .WithReference(redis)
       .WithReference(punchLedger)
       .WithReference(identityMapping)
       .WithReference(dailyResults)
       .WaitFor(redis);

await builder.Build().RunAsync();
return 0;

/// <summary>Public so that tests can name this assembly's entry point: <c>CreateAsync&lt;Program&gt;()</c>.</summary>
public partial class Program;

using HrmsAttendance.Database;
using HrmsAttendance.PunchLedger.Database;
using HrmsAttendance.PunchLedger.Extensions;
using HrmsAttendance.PunchLedger.Grpc;
using HrmsAttendance.ServiceDefaults;

// `punch-ledger migrate` applies the schema with the owner's connection string and exits;
// the AppHost runs it before starting the service, which connects with a role that cannot
// change the schema.
if (MigrateCommand.IsRequested(args))
    return await MigrateCommand.RunAsync(args, (owner, ct) => PunchLedgerDatabase.MigrateAsync(owner, ct));

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<PunchLedgerService>();
app.MapGrpcHealthChecksService();
app.MapGrpcReflectionService();

await app.RunAsync();
return 0;

/// <summary>Named for the tests' WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;

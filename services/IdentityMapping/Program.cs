using HrmsAttendance.Database;
using HrmsAttendance.IdentityMapping.Database;
using HrmsAttendance.IdentityMapping.Extensions;
using HrmsAttendance.IdentityMapping.Grpc;
using HrmsAttendance.IdentityMapping.Http;
using HrmsAttendance.ServiceDefaults;

// `identity-mapping migrate` applies the schema with the owner's connection string and exits;
// the AppHost runs it before starting the service, which connects with a role that cannot
// change the schema.
if (MigrateCommand.IsRequested(args))
    return await MigrateCommand.RunAsync(args, (owner, ct) => IdentityMappingDatabase.MigrateAsync(owner, ct));

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<IdentityMappingService>();
app.MapGrpcHealthChecksService();
app.MapGrpcReflectionService();
app.MapIdentityApi();

await app.RunAsync();
return 0;

/// <summary>Named for the tests' WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;

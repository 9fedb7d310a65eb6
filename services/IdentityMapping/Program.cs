using HrmsAttendance.GrpcWire;
using HrmsAttendance.IdentityMapping;
using HrmsAttendance.IdentityMapping.Extensions;
using HrmsAttendance.IdentityMapping.Grpc;
using HrmsAttendance.IdentityMapping.Http;
using HrmsAttendance.ServiceDefaults;

// `identity-mapping migrate` applies the schema with the owner's connection string and exits;
// the AppHost runs it before starting the service, which connects with a role that cannot
// change the schema.
if (args is ["migrate", ..])
    return await MigrateCommand.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<IdentityMappingService>();
app.MapIdentityApi();

await app.RunAsync();
return 0;

using HrmsAttendance.IdentityMapping.Extensions;
using HrmsAttendance.IdentityMapping.Grpc;
using HrmsAttendance.IdentityMapping.Http;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;

// The schema is applied before this service starts, by the `migrations` resource (services/Migrations).
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapGrpcService<IdentityMappingService>();
app.MapGrpcService<IdentityDirectoryService>();
app.MapGrpcServiceDefaults();
app.MapIdentityApi();

await app.RunAsync();

/// <summary>Named for the tests' WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;

using HrmsAttendance.PunchLedger.Adjustments;
using HrmsAttendance.PunchLedger.Audit;
using HrmsAttendance.PunchLedger.Extensions;
using HrmsAttendance.PunchLedger.Grpc;
using HrmsAttendance.PunchLedger.Imports;
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
app.MapGrpcService<PunchLedgerService>();
app.MapGrpcService<ImportsGrpcService>();
app.MapGrpcService<AdjustmentsGrpcService>();
app.MapGrpcService<AuditLogGrpcService>();
app.MapGrpcServiceDefaults();
app.MapImportsApi();

await app.RunAsync();

/// <summary>Named for the tests' WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;

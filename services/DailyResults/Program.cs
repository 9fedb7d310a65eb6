using HrmsAttendance.DailyResults.Extensions;
using HrmsAttendance.DailyResults.Grpc;
using HrmsAttendance.DailyResults.Http;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;

// The read side of the punch ledger. It has no migrations of its own: its role's grant is the ledger's
// migration 0007, and it never writes.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapGrpcService<DailyResultsService>();
app.MapGrpcServiceDefaults();
app.MapDailyResultsApi();

await app.RunAsync();

/// <summary>Named for the tests' WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;

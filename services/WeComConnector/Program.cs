using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;
using HrmsAttendance.WeComConnector.Extensions;
using HrmsAttendance.WeComConnector.Grpc;
using HrmsAttendance.WeComConnector.Http;

// WeCom checkin/getcheckindata polled per tenant (a sliding window with overlap) → identity-mapping → punch-ledger (or
// parked until linked). Its schema is applied by the `migrations` resource before it starts.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapGrpcService<WeComIntegrationService>();
app.MapGrpcServiceDefaults();
app.MapIntegrationApi();

await app.RunAsync();

using HrmsAttendance.DingTalkConnector.Extensions;
using HrmsAttendance.DingTalkConnector.Grpc;
using HrmsAttendance.DingTalkConnector.Http;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;

// DingTalk Stream mode per tenant → identity-mapping → punch-ledger (or parked until linked). Its schema is applied
// by the `migrations` resource before it starts.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapGrpcService<DingTalkIntegrationService>();
app.MapGrpcServiceDefaults();
app.MapIntegrationApi();

await app.RunAsync();

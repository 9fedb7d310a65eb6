using HrmsAttendance.Gateway.Extensions;
using HrmsAttendance.ServiceDefaults;

// The one front door: every call from outside arrives here, is authenticated (bearer JWT), authorized (role ×
// object/action), rate limited (token buckets in Redis) and forwarded, gRPC by package and JSON by /api path, to
// the owning service with x-tenant-id / x-principal-id / x-roles / x-person-id set by the gateway alone.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGatewayRoutes();

await app.RunAsync();

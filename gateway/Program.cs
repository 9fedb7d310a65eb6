using HrmsAttendance.Gateway.Extensions;
using HrmsAttendance.ServiceDefaults;

// The one front door (see README.md): YARP forwards gRPC by package and JSON by /api path to the owning service, after
// JwtBearer has authenticated the caller, the role × (object, action) policies have authorized the call, and the
// tenant's and the caller's token buckets have admitted it. The caller's bearer token goes on to the service, which
// validates it again and takes the caller from it alone.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();

app.UseGatewayPipeline();
app.MapDefaultEndpoints();
app.MapGatewayProxy();

await app.RunAsync();

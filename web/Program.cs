using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.Web.Authentication;
using HrmsAttendance.Web.Components;
using HrmsAttendance.Web.Extensions;
using HrmsAttendance.Web.Gateway;

// The web app (issue 14): Blazor pages served to browsers through the gateway at "/". People sign in with OpenID
// Connect (identity); the pages call the services through the gateway's gRPC endpoint with the signed-in user's
// access token, so the gateway's role table decides what each page may read or change.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddWebServices();

var app = builder.Build();

app.UseWebPipeline();
app.MapDefaultEndpoints();
app.MapAccountEndpoints();
app.MapAdminDownloads();
app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

await app.RunAsync();

/// <summary>Named for the tests' WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;

using HrmsAttendance.Identity.Accounts;
using HrmsAttendance.Identity.Extensions;
using HrmsAttendance.Identity.SignIn;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;

// The OpenID Connect issuer (OpenIddict) and the users who sign in. The schema is applied before this service starts,
// by the `migrations` resource (services/Migrations).
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapDefaultEndpoints();
app.MapSignInEndpoints();
app.MapGrpcService<AccountsService>();
app.MapGrpcServiceDefaults();

await app.RunAsync();

/// <summary>Named for the tests' WebApplicationFactory&lt;Program&gt;.</summary>
public partial class Program;

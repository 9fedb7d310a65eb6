using HrmsAttendance.Web.Authentication;
using HrmsAttendance.Web.Gateway;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.FluentUI.AspNetCore.Components;

namespace HrmsAttendance.Web.Extensions;

internal static class Extensions
{
    public static void AddWebServices(this WebApplicationBuilder builder)
    {
        // The AppHost runs this app from its build output in the Production environment, where the packages' and the
        // framework's static web assets (Fluent UI's styles and scripts, blazor.web.js) are only found through the
        // build's manifest; a published app has no such manifest and serves its wwwroot as usual.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        builder.Services.AddLocalization();
        builder.Services.AddHttpContextAccessor();
        builder.AddOidcSignIn();

        builder.Services.AddScoped<IAccessTokenSource, SessionAccessTokenSource>();
        builder.Services.AddGatewayClients(new Uri(GatewayClients.GatewayGrpcAddress));

        // Browsers reach this app through the gateway (YARP sets X-Forwarded-*; it runs on loopback, a known proxy),
        // so the redirect URIs it builds for sign-in name the gateway's address, not this app's.
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost);
    }

    public static void UseWebPipeline(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseAuthentication();
        app.UseRequestLocalization(WebCultures.Options());
        app.UseAuthorization();
        app.UseAntiforgery();
    }
}

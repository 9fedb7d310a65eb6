using System.Globalization;
using System.Security.Claims;
using Bunit.TestDoubles;
using HrmsAttendance.Web.Gateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;

namespace HrmsAttendance.Web.Tests;

/// <summary>The signed-in user of a page test is given by this token source: no sign-in, a fixed token.</summary>
public sealed class FixedAccessTokenSource(string? token) : IAccessTokenSource
{
    public ValueTask<string?> GetAccessTokenAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(token);
}

public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>
/// A bunit context with the web app's services as the pages use them: the gateway clients (pointed at a
/// <see cref="FakeGateway"/>), the resources, Fluent UI (its JavaScript answered loosely), a signed-in user.
/// </summary>
public abstract class WebTestContext : BunitContext, IAsyncLifetime
{
    public const string Token = "test-access-token";
    public const string PersonId = "0b6f2c55-8c1e-4d0e-a3f5-5f1d8b1f3a20";

    /// <summary>2026-03-18 10:00 Asia/Shanghai.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 18, 2, 0, 0, TimeSpan.Zero);

    /// <summary>False: rendered as on the server before the circuit starts (the pages start no live watch).</summary>
    protected virtual bool Interactive => false;

    protected FakeGateway Gateway { get; private set; } = default!;
    protected BunitAuthorizationContext Auth { get; private set; } = default!;

    protected WebTestContext(string culture = "en")
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        JSInterop.Mode = JSRuntimeMode.Loose;
        // Every wait is for an in-memory gRPC call; on a loaded two-core machine one can take seconds.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        Auth = AddAuthorization();
    }

    public async Task InitializeAsync()
    {
        Gateway = await FakeGateway.StartAsync();
        Services.AddLocalization();
        Services.AddFluentUIComponents();
        Services.AddSingleton<TimeProvider>(new FixedTime(Now));
        Services.AddSingleton<IAccessTokenSource>(new FixedAccessTokenSource(Token));
        Services.AddGatewayClients(new Uri("http://gateway.test"), Gateway.CreateHandler);
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", Interactive));
    }

    /// <summary>Renders <typeparamref name="TPage"/> at a relative URI (its query parameters come from the address).</summary>
    protected IRenderedComponent<TPage> RenderAt<TPage>(string relativeUri) where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(relativeUri);
        return Render<TPage>();
    }

    protected void SignIn(string role, string? personId = PersonId)
    {
        Auth.SetAuthorized("user-1");
        Auth.SetRoles(role);
        var claims = new List<Claim> { new("name", "Test User") };
        if (personId is not null) claims.Add(new Claim("person_id", personId));
        Auth.SetClaims([.. claims]);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Gateway.DisposeAsync();
    }
}

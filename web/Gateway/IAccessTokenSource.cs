using Microsoft.AspNetCore.Authentication;

namespace HrmsAttendance.Web.Gateway;

/// <summary>The signed-in user's access token for calls to the gateway; the one seam between the pages and sign-in.</summary>
public interface IAccessTokenSource
{
    /// <summary>The token, or null when there is no signed-in user.</summary>
    ValueTask<string?> GetAccessTokenAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// The access token saved in the user's session cookie, read from the request: the page's request while it is
/// rendered on the server, the circuit's own (WebSocket) request while it is interactive.
/// </summary>
public sealed class SessionAccessTokenSource(IHttpContextAccessor httpContextAccessor) : IAccessTokenSource
{
    public async ValueTask<string?> GetAccessTokenAsync(CancellationToken cancellationToken = default) =>
        httpContextAccessor.HttpContext is { } context ? await context.GetTokenAsync("access_token") : null;
}

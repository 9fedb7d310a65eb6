using System.Globalization;
using System.Text.Json;
using HrmsAttendance.IdentityMapping.Data;
using HrmsAttendance.IdentityMapping.Model;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.IdentityMapping.Http;

/// <summary>
/// <c>GET /api/identity/unmapped</c>: the unmapped queue as JSON for admin pages (the gateway routes
/// <c>/api/identity/*</c> here). Same token, validation and stable codes as gRPC; a parameter the route does
/// not have, or one given twice, is refused too. Refusals are problem details carrying the code.
/// </summary>
public static class IdentityApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity");
        api.MapGet("/unmapped", ListUnmappedAsync);
        return app;
    }

    /// <param name="provider">dingtalk or wecom (any case); absent = every provider.</param>
    /// <param name="page_size">0 or absent = 50, at most 500 (parsed here, so a bad value gets the stable code too).</param>
    private static async Task<IResult> ListUnmappedAsync(HttpContext http, IdentityLinkStore links, ILoggerFactory loggers,
        string? provider, string? page_size, string? page_token)
    {
        try
        {
            var caller = http.Caller();
            if (QueryParameters.Problem(http.Request.Query, "provider", "page_size", "page_token") is { } queryProblem)
                throw IdentityErrors.Invalid(queryProblem);
            string? providerFilter = null;
            if (!string.IsNullOrEmpty(provider))
                providerFilter = Inputs.ParseProvider(provider) ?? throw IdentityErrors.Invalid("provider must be dingtalk or wecom");
            var pageSize = Inputs.PageSize(ParsePageSize(page_size));
            var after = PageToken.ParseUnmapped(page_token ?? "");

            var rows = await links.ListUnmappedAsync(caller.TenantId, providerFilter, after, pageSize + 1, http.RequestAborted);
            var page = rows.Take(pageSize).Select(u => new
            {
                u.Provider,
                u.ExternalUserId,
                u.FirstSeenAt,
                u.LastSeenAt,
                u.SeenCount,
            });
            var next = rows.Count > pageSize
                ? PageToken.ForUnmapped(new UnmappedPosition(rows[pageSize - 1].LastSeenAt, rows[pageSize - 1].Provider, rows[pageSize - 1].ExternalUserId))
                : null;
            return Results.Json(new { Identities = page, NextPageToken = next }, Json);
        }
        catch (IdentityException e)
        {
            var status = IdentityErrors.HttpStatusOf(e.Code);
            if (status >= 500)
                loggers.CreateLogger(typeof(IdentityApi).FullName!)
                    .LogError(e.InnerException ?? e, "Identity mapping request failed: {Code}: {Detail}", e.Code, e.Detail);
            return Results.Problem(detail: e.Detail, statusCode: status, title: e.Code,
                extensions: new Dictionary<string, object?> { ["code"] = e.Code });
        }
    }

    private static int ParsePageSize(string? value) =>
        string.IsNullOrEmpty(value) ? 0
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size
        : throw IdentityErrors.Invalid($"page_size must be a whole number between 0 and {Inputs.MaxPageSize}");
}

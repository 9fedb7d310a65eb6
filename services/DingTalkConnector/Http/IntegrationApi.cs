using System.Text.Json;
using System.Text.Json.Serialization;
using HrmsAttendance.DingTalkConnector.Grpc;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.DingTalkConnector.Http;

/// <summary>
/// <c>GET /api/integrations/dingtalk/status</c> (the settings without the secret, the stream, the parked punches) and
/// <c>PUT /api/integrations/dingtalk/settings</c>: the gRPC service's calls as JSON (snake_case) for admin pages; the
/// gateway routes <c>/api/integrations/dingtalk/*</c> here (one method per path: the gateway's routes are by path).
/// No query parameters; a PUT body with a field the route does not have is refused (DINGTALK_INVALID_ARGUMENT).
/// </summary>
public static class IntegrationApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static IEndpointRouteBuilder MapIntegrationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/integrations/dingtalk");
        api.MapGet("/status", StatusAsync);
        api.MapPut("/settings", PutSettingsAsync);
        return app;
    }

    public sealed record SettingsBody(string? ClientId, string? ClientSecret, bool? Enabled);

    private static Task<IResult> StatusAsync(HttpContext http, IntegrationFacade facade) => Guard(http, async caller =>
    {
        var (settings, stream, punches) = await facade.StatusAsync(caller, http.RequestAborted);
        return Results.Json(new
        {
            Configured = settings is not null,
            Enabled = settings?.Enabled ?? false,
            Settings = settings is null ? null : ToJson(settings),
            Stream = stream,
            ParkedPunches = punches["PARKED"],
            ReplayedPunches = punches["REPLAYED"],
            RejectedPunches = punches["REJECTED"],
        }, Json);
    });

    private static Task<IResult> PutSettingsAsync(HttpContext http, IntegrationFacade facade) => Guard(http, async caller =>
    {
        SettingsBody? body;
        try { body = await http.Request.ReadFromJsonAsync<SettingsBody>(Json, http.RequestAborted); }
        catch (JsonException e) { throw DingTalkErrors.Invalid($"the body must be {{\"client_id\", \"client_secret\", \"enabled\"}} as JSON: {e.Message}"); }
        catch (InvalidOperationException) { throw DingTalkErrors.Invalid("the body must be JSON (content-type application/json)"); }
        if (body is null) throw DingTalkErrors.Invalid("the body must be a JSON object");
        var saved = await facade.PutAsync(caller, body.ClientId, body.ClientSecret, body.Enabled ?? true, http.RequestAborted);
        return Results.Json(ToJson(saved), Json);
    });

    private static object ToJson(IntegrationSettings s) => new
    {
        s.ClientId,
        s.Enabled,
        ClientSecretSet = s.ProtectedSecret.Length > 0,
        s.UpdatedAt,
        s.UpdatedBy,
    };

    private static async Task<IResult> Guard(HttpContext http, Func<HrmsAttendance.Tokens.AccessTokenClaims, Task<IResult>> handle)
    {
        try
        {
            var caller = http.Caller();
            if (QueryParameters.Problem(http.Request.Query) is { } problem) throw DingTalkErrors.Invalid(problem);
            return await handle(caller);
        }
        catch (DingTalkException e)
        {
            return Results.Problem(detail: e.Detail, statusCode: DingTalkErrors.Statuses.HttpStatusOf(e.Code), title: e.Code,
                extensions: new Dictionary<string, object?> { ["code"] = e.Code });
        }
    }
}

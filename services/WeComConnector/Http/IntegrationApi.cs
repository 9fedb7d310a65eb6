using System.Text.Json;
using System.Text.Json.Serialization;
using HrmsAttendance.Connectors.Polling;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;
using HrmsAttendance.WeComConnector.Grpc;

namespace HrmsAttendance.WeComConnector.Http;

/// <summary>
/// <c>GET /api/integrations/wecom/status</c> (the settings without the secret, the poll cursor and last poll, the parked
/// punches) and <c>PUT /api/integrations/wecom/settings</c>: the gRPC service's calls as JSON (snake_case) for admin
/// pages; the gateway routes <c>/api/integrations/wecom/*</c> here. No query parameters; a PUT body with a field the
/// route does not have is refused (WECOM_INVALID_ARGUMENT).
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
        var api = app.MapGroup("/api/integrations/wecom");
        api.MapGet("/status", StatusAsync);
        api.MapPut("/settings", PutSettingsAsync);
        return app;
    }

    public sealed record SettingsBody(string? CorpId, string? CorpSecret, bool? Enabled);

    private static Task<IResult> StatusAsync(HttpContext http, IntegrationFacade facade) => Guard(http, async caller =>
    {
        var (settings, cursor, punches) = await facade.StatusAsync(caller, http.RequestAborted);
        return Results.Json(new
        {
            Configured = settings is not null,
            Enabled = settings?.Enabled ?? false,
            Settings = settings is null ? null : ToJson(settings),
            Poll = cursor is null ? null : ToJson(cursor),
            ParkedPunches = punches["PARKED"],
            ReplayedPunches = punches["REPLAYED"],
            RejectedPunches = punches["REJECTED"],
        }, Json);
    });

    private static Task<IResult> PutSettingsAsync(HttpContext http, IntegrationFacade facade) => Guard(http, async caller =>
    {
        SettingsBody? body;
        try { body = await http.Request.ReadFromJsonAsync<SettingsBody>(Json, http.RequestAborted); }
        catch (JsonException e) { throw WeComErrors.Invalid($"the body must be {{\"corp_id\", \"corp_secret\", \"enabled\"}} as JSON: {e.Message}"); }
        catch (InvalidOperationException) { throw WeComErrors.Invalid("the body must be JSON (content-type application/json)"); }
        if (body is null) throw WeComErrors.Invalid("the body must be a JSON object");
        var saved = await facade.PutAsync(caller, body.CorpId, body.CorpSecret, body.Enabled ?? true, http.RequestAborted);
        return Results.Json(ToJson(saved), Json);
    });

    private static object ToJson(IntegrationSettings s) => new
    {
        CorpId = s.ClientId,
        s.Enabled,
        CorpSecretSet = s.ProtectedSecret.Length > 0,
        s.UpdatedAt,
        s.UpdatedBy,
    };

    private static object ToJson(PollCursor c) => new
    {
        c.PolledUntil,
        c.LastPollAt,
        c.LastSuccessAt,
        c.LastWindowStart,
        c.LastWindowEnd,
        c.LastRecords,
        c.LastPunches,
        c.LastNoPunchRows,
        c.LastUnreadable,
        c.Polls,
        c.Failures,
        c.LastError,
        c.LastErrorAt,
        c.Holder,
        c.FencingToken,
    };

    private static async Task<IResult> Guard(HttpContext http, Func<HrmsAttendance.Tokens.AccessTokenClaims, Task<IResult>> handle)
    {
        try
        {
            var caller = http.Caller();
            if (QueryParameters.Problem(http.Request.Query) is { } problem) throw WeComErrors.Invalid(problem);
            return await handle(caller);
        }
        catch (WeComException e)
        {
            return Results.Problem(detail: e.Detail, statusCode: WeComErrors.Statuses.HttpStatusOf(e.Code), title: e.Code,
                extensions: new Dictionary<string, object?> { ["code"] = e.Code });
        }
    }
}

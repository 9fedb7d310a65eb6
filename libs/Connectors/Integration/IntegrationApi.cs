using System.Text.Json;
using System.Text.Json.Serialization;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.StableErrors;
using HrmsAttendance.Tokens;
using HrmsAttendance.TokenAuthentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.Connectors.Integration;

/// <summary>
/// A connector's JSON routes for admin pages, the gRPC service's calls as JSON (snake_case):
/// <c>GET /api/integrations/&lt;provider&gt;/status</c> (the settings without the secret, the consumer's status, the
/// parked punches) and <c>PUT /api/integrations/&lt;provider&gt;/settings</c> (<c>{client_id, client_secret, enabled}</c>
/// for DingTalk, <c>{corp_id, corp_secret, enabled}</c> for WeCom). The gateway routes <c>/api/integrations/&lt;provider&gt;/*</c>
/// here (one method per path: its routes are by path). No query parameters; a PUT body with a field the route does not
/// have, or with a field twice, is refused (<c>&lt;PROVIDER&gt;_INVALID_ARGUMENT</c>).
/// </summary>
public static class IntegrationApi
{
    private sealed record SettingsBody(string? AppId, string? AppSecret, bool? Enabled);

    /// <param name="consumerName">The status's field for the consumer (<c>stream</c>, <c>poll</c>).</param>
    /// <param name="consumerJson">What of the consumer's status is shown (its record as it is when null).</param>
    public static IEndpointRouteBuilder MapConnectorIntegrationApi<TConsumer>(this IEndpointRouteBuilder app, string consumerName,
        Func<TConsumer, object>? consumerJson = null) where TConsumer : class
    {
        var provider = app.ServiceProvider.GetRequiredService<ConnectorProvider>();
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = new ProviderNaming(provider),
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            // A field given twice is refused rather than the last one silently winning.
            AllowDuplicateProperties = false,
        };
        var bodyShape = $"{{\"{provider.AppIdField}\", \"{provider.AppSecretField}\", \"enabled\"}}";

        var api = app.MapGroup(provider.ApiPath);
        api.MapGet("/status", (HttpContext http, IntegrationFacade<TConsumer> facade) => Guard(http, provider, async caller =>
        {
            var (settings, consumer, punches) = await facade.StatusAsync(caller, http.RequestAborted);
            return Results.Json(new Dictionary<string, object?>
            {
                ["configured"] = settings is not null,
                ["enabled"] = settings?.Enabled ?? false,
                ["settings"] = settings is null ? null : SettingsJson(settings),
                [consumerName] = consumer is null ? null : consumerJson is null ? consumer : consumerJson(consumer),
                ["parked_punches"] = punches["PARKED"],
                ["replayed_punches"] = punches["REPLAYED"],
                ["rejected_punches"] = punches["REJECTED"],
            }, json);
        }));
        api.MapPut("/settings", (HttpContext http, IntegrationFacade<TConsumer> facade) => Guard(http, provider, async caller =>
        {
            SettingsBody? body;
            try { body = await http.Request.ReadFromJsonAsync<SettingsBody>(json, http.RequestAborted); }
            catch (JsonException e) { throw provider.Errors.Invalid($"the body must be {bodyShape} as JSON: {e.Message}"); }
            catch (InvalidOperationException) { throw provider.Errors.Invalid("the body must be JSON (content-type application/json)"); }
            if (body is null) throw provider.Errors.Invalid("the body must be a JSON object");
            var saved = await facade.PutAsync(caller, body.AppId, body.AppSecret, body.Enabled ?? true, http.RequestAborted);
            return Results.Json(SettingsJson(saved), json);
        }));
        return app;
    }

    private static object SettingsJson(IntegrationSettings s) => new
    {
        AppId = s.ClientId,
        s.Enabled,
        AppSecretSet = s.ProtectedSecret.Length > 0,
        s.UpdatedAt,
        s.UpdatedBy,
    };

    private static async Task<IResult> Guard(HttpContext http, ConnectorProvider provider, Func<AccessTokenClaims, Task<IResult>> handle)
    {
        try
        {
            var caller = http.Caller();
            if (QueryParameters.Problem(http.Request.Query) is { } problem) throw provider.Errors.Invalid(problem);
            return await handle(caller);
        }
        catch (ConnectorException e)
        {
            return Results.Problem(detail: e.Detail, statusCode: provider.Errors.Statuses.HttpStatusOf(e.Code), title: e.Code,
                extensions: new Dictionary<string, object?> { ["code"] = e.Code });
        }
    }

    /// <summary>snake_case, with the app's id and secret under the provider's names (client_id / corp_id …).</summary>
    private sealed class ProviderNaming(ConnectorProvider provider) : JsonNamingPolicy
    {
        public override string ConvertName(string name) => name switch
        {
            nameof(SettingsBody.AppId) => provider.AppIdField,
            nameof(SettingsBody.AppSecret) => provider.AppSecretField,
            "AppSecretSet" => provider.AppSecretField + "_set",
            _ => SnakeCaseLower.ConvertName(name),
        };
    }
}

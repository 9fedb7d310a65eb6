using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.DingTalkConnector.Stream;

/// <summary>
/// <c>POST {api}/v1.0/gateway/connections/open</c> with the app's client id and secret and the subscriptions (every
/// EVENT) → <c>{endpoint, ticket}</c>: where to open the WebSocket, and its one-time ticket.
/// </summary>
public sealed class DingTalkOpenApi(HttpClient http, IOptions<DingTalkOptions> options)
{
    public async Task<StreamConnection> OpenConnectionAsync(string clientId, string clientSecret, CancellationToken ct)
    {
        var request = new OpenConnectionRequest(clientId, clientSecret, [new Subscription("EVENT", "*")], options.Value.UserAgent, "127.0.0.1");
        using var response = await http.PostAsJsonAsync(new Uri(options.Value.OpenApiBaseUrl, "/v1.0/gateway/connections/open"),
            request, OpenApiJson.Default.OpenConnectionRequest, ct);
        if (!response.IsSuccessStatusCode)
        {
            // DingTalk answers {code, message} on refusal (e.g. bad credentials); never the secret.
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new DingTalkOpenApiException($"connections/open answered {(int)response.StatusCode}: {(body.Length > 300 ? body[..300] : body)}");
        }
        var opened = await response.Content.ReadFromJsonAsync(OpenApiJson.Default.StreamConnection, ct);
        if (opened is not { Endpoint.Length: > 0, Ticket.Length: > 0 })
            throw new DingTalkOpenApiException("connections/open answered without endpoint and ticket");
        return opened;
    }

    /// <summary>The WebSocket address: the endpoint with the ticket as its query parameter.</summary>
    public static Uri WebSocketAddress(StreamConnection connection)
    {
        var separator = connection.Endpoint.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return new Uri($"{connection.Endpoint}{separator}ticket={Uri.EscapeDataString(connection.Ticket)}");
    }
}

public sealed class DingTalkOpenApiException(string message) : Exception(message);

public sealed record OpenConnectionRequest(
    [property: JsonPropertyName("clientId")] string ClientId,
    [property: JsonPropertyName("clientSecret")] string ClientSecret,
    [property: JsonPropertyName("subscriptions")] IReadOnlyList<Subscription> Subscriptions,
    [property: JsonPropertyName("ua")] string UserAgent,
    [property: JsonPropertyName("localIp")] string LocalIp)
{
    // Records print their members; this one carries the secret.
    public override string ToString() => $"OpenConnectionRequest {{ ClientId = {ClientId} }}";
}

public sealed record Subscription(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("topic")] string Topic);

public sealed record StreamConnection(
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("ticket")] string Ticket)
{
    public override string ToString() => $"StreamConnection {{ Endpoint = {Endpoint} }}";
}

[JsonSerializable(typeof(OpenConnectionRequest))]
[JsonSerializable(typeof(StreamConnection))]
internal sealed partial class OpenApiJson : JsonSerializerContext;

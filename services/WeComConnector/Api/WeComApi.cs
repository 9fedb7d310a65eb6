using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.WeComConnector.Api;

/// <summary>A WeCom answer with a non-zero errcode (the HTTP status of WeCom's API is 200 either way).</summary>
public sealed class WeComApiException(int errorCode, string errorMessage)
    : Exception($"WeCom errcode {errorCode}: {errorMessage}")
{
    public int ErrorCode { get; } = errorCode;
    public string ErrorMessage { get; } = errorMessage;

    /// <summary>The access_token is invalid or expired (40001 invalid credential, 40014 invalid access_token, 42001 expired).</summary>
    public bool TokenRejected => ErrorCode is 40001 or 40014 or 42001;

    /// <summary>45009: the API's frequency limit.</summary>
    public bool RateLimited => ErrorCode == 45009;
}

public sealed record WeComAccessToken(string Token, TimeSpan ExpiresIn);

/// <summary>
/// WeCom's server API, the two calls the poller makes: <c>GET /cgi-bin/gettoken?corpid&amp;corpsecret</c> and
/// <c>POST /cgi-bin/checkin/getcheckindata?access_token</c> (opencheckindatatype 3 = every kind of punch). The secret
/// and the token travel in the query string, as WeCom wants them: the HttpClient's own request logging stays at
/// Warning (appsettings.json) so no URL is logged.
/// </summary>
public sealed class WeComApi(HttpClient http, IOptions<WeComOptions> options)
{
    public const int MaxUsersPerCall = 100;
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(30);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public async Task<WeComAccessToken> GetTokenAsync(string corpId, string corpSecret, CancellationToken ct)
    {
        var uri = new Uri(options.Value.ApiBaseUrl,
            $"cgi-bin/gettoken?corpid={Uri.EscapeDataString(corpId)}&corpsecret={Uri.EscapeDataString(corpSecret)}");
        using var response = await http.GetAsync(uri, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TokenBody>(Json, ct)
            ?? throw new WeComApiException(-1, "gettoken answered no JSON object");
        if (body.Errcode != 0) throw new WeComApiException(body.Errcode, body.Errmsg ?? "");
        if (string.IsNullOrEmpty(body.AccessToken) || body.ExpiresIn <= 0)
            throw new WeComApiException(-1, "gettoken answered errcode 0 without access_token/expires_in");
        return new WeComAccessToken(body.AccessToken, TimeSpan.FromSeconds(body.ExpiresIn));
    }

    /// <summary>The check-in records of up to 100 users between two instants (at most 30 days apart), as WeCom sent them.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetCheckinDataAsync(string accessToken, DateTimeOffset start, DateTimeOffset end,
        IReadOnlyList<string> userIds, CancellationToken ct)
    {
        if (userIds.Count is 0 or > MaxUsersPerCall)
            throw new ArgumentOutOfRangeException(nameof(userIds), userIds.Count, $"getcheckindata takes 1 to {MaxUsersPerCall} users");
        if (end < start || end - start > MaxSpan)
            throw new ArgumentOutOfRangeException(nameof(end), end, "getcheckindata takes a span of at most 30 days");
        var uri = new Uri(options.Value.ApiBaseUrl, $"cgi-bin/checkin/getcheckindata?access_token={Uri.EscapeDataString(accessToken)}");
        var request = new CheckinRequest(3, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds(), userIds);
        using var response = await http.PostAsJsonAsync(uri, request, Json, ct);
        response.EnsureSuccessStatusCode();
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        var root = document.RootElement;
        var errcode = root.TryGetProperty("errcode", out var code) && code.ValueKind == JsonValueKind.Number ? code.GetInt32() : -1;
        if (errcode != 0)
            throw new WeComApiException(errcode, root.TryGetProperty("errmsg", out var message) ? message.ToString() : "");
        if (!root.TryGetProperty("checkindata", out var data) || data.ValueKind == JsonValueKind.Null) return [];
        if (data.ValueKind != JsonValueKind.Array) throw new WeComApiException(-1, "getcheckindata answered checkindata that is not a list");
        return data.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private sealed record TokenBody(int Errcode, string? Errmsg, string? AccessToken, int ExpiresIn);

    private sealed record CheckinRequest(
        [property: JsonPropertyName("opencheckindatatype")] int OpenCheckinDataType,
        [property: JsonPropertyName("starttime")] long StartTime,
        [property: JsonPropertyName("endtime")] long EndTime,
        [property: JsonPropertyName("useridlist")] IReadOnlyList<string> UserIdList);

    internal static string Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}

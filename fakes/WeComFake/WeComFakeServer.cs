using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.Fakes.WeCom;

/// <summary>What a corp's calls to the fake came to (for the tests' assertions).</summary>
public sealed record WeComFakeStats(
    int TokensIssued,
    int CheckinCalls,
    int RateLimitedAnswers,
    int TokenRefusals,
    int MostUsersInOneCall,
    int RefusedRequests,
    long LongestSpanSeconds);

/// <summary>One getcheckindata call the fake answered with records: when it came and went, its window and how many users it named.</summary>
public sealed record WeComFakeCall(DateTimeOffset Received, DateTimeOffset Answered, long StartTime, long EndTime, int Users);

/// <summary>
/// WeCom's server API as the poller sees it, on loopback: <c>GET /cgi-bin/gettoken?corpid&amp;corpsecret</c> →
/// <c>{errcode, errmsg, access_token, expires_in}</c> and <c>POST /cgi-bin/checkin/getcheckindata?access_token</c> with
/// <c>{opencheckindatatype, starttime, endtime, useridlist}</c> → <c>{errcode, errmsg, checkindata:[…]}</c>, HTTP 200 with
/// an errcode either way, as WeCom answers. Faithful in what the poller must cope with: a token expires after
/// <see cref="TokenLifetime"/> (42001) or when the test says so, an unknown token is 40014, a wrong secret 40001;
/// WeCom's limit of 600 calls a minute per corp answers 45009 (and a test can make the next calls 45009); more than 100
/// users or a span over 30 days is refused (40058, the fake's pick of WeCom's "invalid parameter"); a record becomes
/// visible only from its <c>visibleFrom</c> (a late record: WeCom reports some punches minutes after they happened);
/// 未打卡 rows (exception_type) are returned like WeCom returns them. The tests drive it in process; <c>/fake/*</c> lets
/// the demo do the same over HTTP.
/// </summary>
public sealed class WeComFakeServer : IFakePlatform
{
    public const int ErrInvalidCredential = 40001;
    public const int ErrInvalidCorpId = 40013;
    public const int ErrInvalidToken = 40014;
    public const int ErrTokenMissing = 41001;
    public const int ErrTokenExpired = 42001;
    public const int ErrFrequencyLimit = 45009;
    public const int ErrInvalidParameter = 40058;
    public const int CallsPerMinute = 600;

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeCorp> _corps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string CorpId, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);

    /// <summary>The expires_in of a new token (WeCom: 7200 s).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(7200);

    /// <summary>Where the API answers, e.g. http://127.0.0.1:PORT/ (the connector's WeCom:ApiBaseUrl).</summary>
    public Uri BaseUrl { get; }

    private WeComFakeServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Starts the fake on 127.0.0.1 (port 0: a free one).</summary>
    public static async Task<WeComFakeServer> StartAsync(int port = 0, Action<ILoggingBuilder>? logging = null)
    {
        WeComFakeServer? server = null;
        var (app, address) = await FakeWebHost.StartAsync(port, logging, app =>
        {
            app.MapGet("/cgi-bin/gettoken", (HttpContext http) => server!.GetToken(http));
            app.MapPost("/cgi-bin/checkin/getcheckindata", (Delegate)((HttpContext http) => server!.GetCheckinDataAsync(http)));
            MapControl(app, () => server!);
        });
        server = new WeComFakeServer(app, address);
        return server;
    }

    // ---- what tests (and the /fake routes) do -------------------------------------------------------------------

    public void RegisterCorp(string corpId, string corpSecret) => _corps[corpId] = new FakeCorp(corpSecret);

    /// <summary>A check-in record as WeCom keeps it; visible to getcheckindata from <paramref name="visibleFrom"/> (default: now).</summary>
    public void AddRecord(string corpId, string userId, DateTimeOffset checkinTime, string checkinType = "上班打卡",
        string exceptionType = "", DateTimeOffset? visibleFrom = null)
    {
        var record = new JsonObject
        {
            ["userid"] = userId,
            ["groupname"] = "打卡规则",
            ["checkin_type"] = checkinType,
            ["exception_type"] = exceptionType, // WeCom's verdict: the connector must not use it
            ["checkin_time"] = checkinTime.ToUnixTimeSeconds(),
            ["location_title"] = "总部",
            ["location_detail"] = "某市某区某路 1 号",
            ["wifiname"] = "office",
            ["notes"] = "",
            ["wifimac"] = "3c:46:d8:0c:7a:70",
            ["mediaids"] = new JsonArray(),
            ["sch_checkin_time"] = checkinTime.ToUnixTimeSeconds(),
            ["groupid"] = 1,
            ["schedule_id"] = 0,
            ["timeline_id"] = 1,
        };
        var corp = Corp(corpId);
        lock (corp) corp.Records.Add(new FakeRecord(userId, checkinTime.ToUnixTimeSeconds(), visibleFrom ?? DateTimeOffset.MinValue, record));
    }

    /// <summary>Every token of the corp issued so far expires now (the next call with one is 42001).</summary>
    public void ExpireTokens(string corpId)
    {
        foreach (var (token, entry) in _tokens.Where(t => t.Value.CorpId == corpId))
            _tokens[token] = (entry.CorpId, DateTimeOffset.UtcNow.AddSeconds(-1));
    }

    /// <summary>The corp's next <paramref name="calls"/> getcheckindata calls are answered 45009.</summary>
    public void RateLimitNext(string corpId, int calls)
    {
        var corp = Corp(corpId);
        lock (corp) corp.RateLimitNext += calls;
    }

    /// <summary>getcheckindata expires the corp's tokens when it has answered this many more calls (a token running out mid-poll).</summary>
    public void ExpireTokensAfter(string corpId, int calls)
    {
        var corp = Corp(corpId);
        lock (corp) corp.ExpireAfterCalls = calls;
    }

    /// <summary>The corp's getcheckindata calls take this long to answer from now on (a slow WeCom: polls last longer).</summary>
    public void SlowDown(string corpId, TimeSpan delay)
    {
        var corp = Corp(corpId);
        lock (corp) corp.AnswerDelay = delay;
    }

    /// <summary>The corp's getcheckindata calls answered with records so far, in the order they came.</summary>
    public IReadOnlyList<WeComFakeCall> Calls(string corpId)
    {
        var corp = Corp(corpId);
        lock (corp) return [.. corp.Calls];
    }

    public WeComFakeStats Stats(string corpId)
    {
        var corp = Corp(corpId);
        lock (corp)
            return new WeComFakeStats(corp.TokensIssued, corp.CheckinCalls, corp.RateLimited, corp.TokenRefusals, corp.MostUsers,
                corp.Refused, corp.LongestSpan);
    }

    // ---- the API ------------------------------------------------------------------------------------------------

    private IResult GetToken(HttpContext http)
    {
        var corpId = http.Request.Query["corpid"].ToString();
        var secret = http.Request.Query["corpsecret"].ToString();
        if (!_corps.TryGetValue(corpId, out var corp)) return Error(ErrInvalidCorpId, "invalid corpid");
        if (!string.Equals(corp.Secret, secret, StringComparison.Ordinal)) return Error(ErrInvalidCredential, "invalid credential");
        var token = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_')
                    + Guid.NewGuid().ToString("N");
        _tokens[token] = (corpId, DateTimeOffset.UtcNow + TokenLifetime);
        lock (corp) corp.TokensIssued++;
        return Results.Json(new JsonObject
        {
            ["errcode"] = 0,
            ["errmsg"] = "ok",
            ["access_token"] = token,
            ["expires_in"] = (int)TokenLifetime.TotalSeconds,
        });
    }

    private async Task<IResult> GetCheckinDataAsync(HttpContext http)
    {
        var token = http.Request.Query["access_token"].ToString();
        if (token.Length == 0) return Error(ErrTokenMissing, "access_token missing");
        if (!_tokens.TryGetValue(token, out var entry)) return Error(ErrInvalidToken, "invalid access_token");
        var corp = Corp(entry.CorpId);
        if (entry.Expires <= DateTimeOffset.UtcNow)
        {
            lock (corp) corp.TokenRefusals++;
            return Error(ErrTokenExpired, "access_token expired");
        }

        lock (corp)
        {
            var now = DateTimeOffset.UtcNow;
            while (corp.RecentCalls.Count > 0 && now - corp.RecentCalls.Peek() > TimeSpan.FromMinutes(1)) corp.RecentCalls.Dequeue();
            if (corp.RateLimitNext > 0 || corp.RecentCalls.Count >= CallsPerMinute)
            {
                if (corp.RateLimitNext > 0) corp.RateLimitNext--;
                corp.RateLimited++;
                return Error(ErrFrequencyLimit, "api freq out of limit");
            }
            corp.RecentCalls.Enqueue(now);
        }

        JsonObject? body;
        try { body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject; }
        catch (JsonException) { body = null; }
        if (body is null || !TryLong(body["opencheckindatatype"], out var type) || type is < 1 or > 3 ||
            !TryLong(body["starttime"], out var start) || !TryLong(body["endtime"], out var end) ||
            body["useridlist"] is not JsonArray users)
            return Refuse(corp, "invalid parameter: opencheckindatatype, starttime, endtime and useridlist are required");
        if (users.Count is 0 or > 100) return Refuse(corp, "invalid parameter: useridlist takes 1 to 100 users");
        if (end < start || end - start > 30L * 86400) return Refuse(corp, "invalid parameter: starttime to endtime spans at most 30 days");
        var wanted = users.Select(u => u?.GetValue<string>() ?? "").ToHashSet(StringComparer.Ordinal);

        var received = DateTimeOffset.UtcNow;
        TimeSpan delay;
        lock (corp) delay = corp.AnswerDelay;
        if (delay > TimeSpan.Zero) await Task.Delay(delay, http.RequestAborted);

        JsonArray data;
        lock (corp)
        {
            corp.CheckinCalls++;
            corp.MostUsers = Math.Max(corp.MostUsers, wanted.Count);
            corp.LongestSpan = Math.Max(corp.LongestSpan, end - start);
            if (corp.ExpireAfterCalls is { } left)
            {
                corp.ExpireAfterCalls = left > 1 ? left - 1 : null;
                if (left <= 1) ExpireTokens(entry.CorpId);
            }
            var now = DateTimeOffset.UtcNow;
            data = new JsonArray(corp.Records
                .Where(r => wanted.Contains(r.UserId) && r.CheckinTime >= start && r.CheckinTime <= end && r.VisibleFrom <= now)
                .Where(r => type == 3 || (type == 2) == (r.Record["checkin_type"]!.GetValue<string>() == "外出打卡"))
                .OrderBy(r => r.CheckinTime)
                .Select(r => r.Record.DeepClone())
                .ToArray());
            corp.Calls.Add(new WeComFakeCall(received, DateTimeOffset.UtcNow, start, end, wanted.Count));
        }
        return Results.Json(new JsonObject { ["errcode"] = 0, ["errmsg"] = "ok", ["checkindata"] = data });
    }

    private static IResult Refuse(FakeCorp corp, string message)
    {
        lock (corp) corp.Refused++;
        return Error(ErrInvalidParameter, message);
    }

    private static IResult Error(int code, string message) => Results.Json(new JsonObject { ["errcode"] = code, ["errmsg"] = message });

    private static bool TryLong(JsonNode? node, out long value)
    {
        value = 0;
        return node is JsonValue v && v.TryGetValue(out value);
    }

    private FakeCorp Corp(string corpId) =>
        _corps.TryGetValue(corpId, out var corp) ? corp : throw new InvalidOperationException($"No corp {corpId} is registered with the fake.");

    private static void MapControl(WebApplication app, Func<WeComFakeServer> server)
    {
        var fake = app.MapGroup("/fake/corps");
        fake.MapPost("/", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
            server().RegisterCorp(body!["corpid"]!.GetValue<string>(), body["corpsecret"]!.GetValue<string>());
            return Results.NoContent();
        });
        fake.MapPost("/{corpId}/records", async (string corpId, HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
            server().AddRecord(corpId, body!["userid"]!.GetValue<string>(),
                DateTimeOffset.FromUnixTimeSeconds(body["checkin_time"]!.GetValue<long>()),
                body["checkin_type"]?.GetValue<string>() ?? "上班打卡", body["exception_type"]?.GetValue<string>() ?? "");
            return Results.NoContent();
        });
        fake.MapPost("/{corpId}/expire-tokens", (string corpId) => { server().ExpireTokens(corpId); return Results.NoContent(); });
        fake.MapGet("/{corpId}", (string corpId) => Results.Json(server().Stats(corpId)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record FakeRecord(string UserId, long CheckinTime, DateTimeOffset VisibleFrom, JsonObject Record);

    private sealed class FakeCorp(string secret)
    {
        public string Secret { get; } = secret;
        public List<FakeRecord> Records { get; } = [];
        public Queue<DateTimeOffset> RecentCalls { get; } = new();
        public int RateLimitNext { get; set; }
        public int? ExpireAfterCalls { get; set; }
        public int TokensIssued { get; set; }
        public int CheckinCalls { get; set; }
        public int RateLimited { get; set; }
        public int TokenRefusals { get; set; }
        public int MostUsers { get; set; }
        public int Refused { get; set; }
        public long LongestSpan { get; set; }
        public TimeSpan AnswerDelay { get; set; }
        public List<WeComFakeCall> Calls { get; } = [];
    }
}

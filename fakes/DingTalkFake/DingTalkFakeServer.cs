using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.Fakes.DingTalk;

/// <summary>One acknowledgement the fake received for a delivery of an event.</summary>
public sealed record FakeAck(string EventId, string MessageId, string Status, DateTimeOffset At);

/// <summary>
/// DingTalk's open platform as the connector sees it, on loopback:
/// <c>POST /v1.0/gateway/connections/open</c> (client id + secret of a registered app → <c>{endpoint, ticket}</c>; a
/// ticket opens one WebSocket, once, within a minute) and the Stream-mode WebSocket at <c>/connect?ticket=…</c>, which
/// pushes EVENT frames and SYSTEM ping / disconnect frames and reads the answers. An event is delivered until it is
/// answered SUCCESS: a LATER answer, no answer within <see cref="AckTimeout"/> or a dropped connection makes it due
/// again after <see cref="RedeliveryDelay"/> (DingTalk: ~16–60 s; short here so tests do not wait). The tests drive it
/// in process; <c>/fake/*</c> lets a person (or the demo) do the same over HTTP.
/// </summary>
public sealed class DingTalkFakeServer : IFakePlatform
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeApp> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string ClientId, DateTimeOffset Expires)> _tickets = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _deliveryLoop;

    public TimeSpan RedeliveryDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the open API answers, e.g. http://127.0.0.1:PORT (the connector's DingTalk:OpenApiBaseUrl).</summary>
    public Uri BaseUrl { get; }

    private DingTalkFakeServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
        _deliveryLoop = Task.Run(DeliverAsync);
    }

    /// <summary>Starts the fake on 127.0.0.1 (port 0: a free one).</summary>
    public static async Task<DingTalkFakeServer> StartAsync(int port = 0, Action<ILoggingBuilder>? logging = null)
    {
        DingTalkFakeServer? server = null;
        var (app, address) = await FakeWebHost.StartAsync(port, logging, app =>
        {
            app.UseWebSockets();
            app.MapPost("/v1.0/gateway/connections/open", (Delegate)((HttpContext http) => server!.OpenConnectionAsync(http)));
            app.Map("/connect", (HttpContext http) => server!.AcceptAsync(http));
            MapControl(app, () => server!);
        });
        server = new DingTalkFakeServer(app, address);
        return server;
    }

    // ---- what tests (and the /fake routes) do -------------------------------------------------------------------

    public void RegisterApp(string clientId, string clientSecret, string corpId = "dingfakecorp") =>
        _apps[clientId] = new FakeApp(clientId, clientSecret, corpId);

    /// <summary>Queues an event for the app's stream (delivered as soon as a connection is open); returns its delivery's id.</summary>
    public string Publish(string clientId, string eventType, string dataJson, string? eventId = null)
    {
        var app = App(clientId);
        var delivery = new Delivery(eventId ?? Guid.NewGuid().ToString("N"), eventType, dataJson, DateTimeOffset.UtcNow);
        lock (app) app.Deliveries.Add(delivery);
        return delivery.EventId;
    }

    /// <summary>An <c>attendance_check_record</c> event with these check records (userId, checkTime in ms, a record id).</summary>
    public string PublishCheckRecords(string clientId, IEnumerable<(string UserId, DateTimeOffset Time, string RecordId)> records, string? eventId = null)
    {
        var list = new JsonArray();
        foreach (var (userId, time, recordId) in records)
            list.Add(new JsonObject
            {
                ["userId"] = userId,
                ["checkTime"] = time.ToUnixTimeMilliseconds(),
                ["bizId"] = recordId,
                ["locationMethod"] = "MAP",
                ["timeResult"] = "Normal", // DingTalk's own verdict: the connector must not use it
                ["checkType"] = "OnDuty",
            });
        return Publish(clientId, "attendance_check_record", new JsonObject { ["dataList"] = list }.ToJsonString(), eventId);
    }

    /// <summary>
    /// Calls <paramref name="observer"/> with each answer to an event of the app as the fake reads it, before it reads
    /// the connection's next message (a test can check what the connector had stored when it answered).
    /// </summary>
    public void ObserveAnswers(string clientId, Func<FakeAck, Task> observer) => App(clientId).AnswerObserver = observer;

    /// <summary>Closes the app's connections without a close handshake (a network drop).</summary>
    public void DropConnections(string clientId)
    {
        foreach (var connection in App(clientId).Connections.Values) connection.Socket.Abort();
    }

    /// <summary>Sends SYSTEM disconnect on the app's connections (DingTalk's "open a new connection"); closes them a moment later.</summary>
    public async Task SendDisconnectAsync(string clientId)
    {
        foreach (var connection in App(clientId).Connections.Values)
            await connection.SendAsync(SystemFrame("disconnect", new JsonObject { ["reason"] = "fake: server maintenance" }.ToJsonString()));
    }

    /// <summary>Pings the app's connection; true when the pong (code 200, the ping's data back, its messageId) came within the timeout.</summary>
    public async Task<bool> PingAsync(string clientId, TimeSpan timeout)
    {
        var connection = App(clientId).Connections.Values.FirstOrDefault();
        if (connection is null) return false;
        var opaque = Guid.NewGuid().ToString("N");
        var frame = SystemFrame("ping", new JsonObject { ["opaque"] = opaque }.ToJsonString());
        var messageId = JsonNode.Parse(frame)!["headers"]!["messageId"]!.GetValue<string>();
        var answered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Pings[messageId] = answered;
        await connection.SendAsync(frame);
        var done = await Task.WhenAny(answered.Task, Task.Delay(timeout));
        return done == answered.Task && answered.Task.Result.Contains(opaque, StringComparison.Ordinal);
    }

    public IReadOnlyList<FakeAck> Acks(string clientId)
    {
        var app = App(clientId);
        lock (app) return [.. app.Acks];
    }

    /// <summary>Connections opened so far, and the most that were open at once.</summary>
    public (int Opened, int MostAtOnce, int OpenNow) Connections(string clientId)
    {
        var app = App(clientId);
        lock (app) return (app.Opened, app.MostAtOnce, app.Connections.Count);
    }

    /// <summary>Events not answered SUCCESS yet.</summary>
    public int Pending(string clientId)
    {
        var app = App(clientId);
        lock (app) return app.Deliveries.Count(d => !d.Done);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var app in _apps.Values)
            foreach (var connection in app.Connections.Values) connection.Socket.Abort();
        try { await _deliveryLoop; } catch (OperationCanceledException) { }
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    // ---- the protocol ---------------------------------------------------------------------------------------------

    private async Task<IResult> OpenConnectionAsync(HttpContext http)
    {
        JsonObject? body;
        try { body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject; }
        catch (JsonException) { body = null; }
        var clientId = body?["clientId"]?.GetValue<string>();
        var secret = body?["clientSecret"]?.GetValue<string>();
        if (clientId is null || !_apps.TryGetValue(clientId, out var app) || app.ClientSecret != secret)
            return Results.Json(new { code = "InvalidAuthentication", message = "clientId or clientSecret is wrong" }, statusCode: 401);
        if (body?["subscriptions"] is not JsonArray { Count: > 0 })
            return Results.Json(new { code = "InvalidParameter", message = "subscriptions is required" }, statusCode: 400);
        var ticket = Guid.NewGuid().ToString("N");
        _tickets[ticket] = (clientId, DateTimeOffset.UtcNow.AddMinutes(1));
        var ws = new UriBuilder(BaseUrl) { Scheme = "ws", Path = "/connect" }.Uri.ToString().TrimEnd('/');
        return Results.Json(new { endpoint = ws, ticket });
    }

    private async Task AcceptAsync(HttpContext http)
    {
        var ticket = http.Request.Query["ticket"].ToString();
        if (!http.WebSockets.IsWebSocketRequest || !_tickets.TryRemove(ticket, out var issued) || issued.Expires < DateTimeOffset.UtcNow)
        {
            http.Response.StatusCode = (int)HttpStatusCode.Unauthorized;
            return;
        }
        var app = App(issued.ClientId);
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var connection = new FakeConnection(Guid.NewGuid().ToString("N"), socket);
        lock (app)
        {
            app.Connections[connection.Id] = connection;
            app.Opened++;
            app.MostAtOnce = Math.Max(app.MostAtOnce, app.Connections.Count);
        }
        try { await ReadAnswersAsync(app, connection); }
        finally
        {
            lock (app)
            {
                app.Connections.TryRemove(connection.Id, out _);
                // What was in flight on this connection is due again later (DingTalk redelivers un-acknowledged events).
                foreach (var d in app.Deliveries.Where(d => d.InFlightOn == connection.Id))
                    (d.InFlightOn, d.DueAt) = (null, DateTimeOffset.UtcNow + RedeliveryDelay);
            }
        }
    }

    private async Task ReadAnswersAsync(FakeApp app, FakeConnection connection)
    {
        var buffer = new byte[64 * 1024];
        while (connection.Socket.State == WebSocketState.Open && !_stopping.IsCancellationRequested)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            try
            {
                do
                {
                    result = await connection.Socket.ReceiveAsync(buffer, _stopping.Token);
                    message.Write(buffer, 0, result.Count);
                } while (!result.EndOfMessage);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException) { return; }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                try { await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None); }
                catch (WebSocketException) { }
                return;
            }
            if (Answer(app, connection, Encoding.UTF8.GetString(message.ToArray())) is { } ack && app.AnswerObserver is { } observer)
                await observer(ack);
        }
    }

    /// <summary>Takes the connector's answer to a ping or an event; the acknowledgement when it answered an event in flight.</summary>
    private FakeAck? Answer(FakeApp app, FakeConnection connection, string text)
    {
        JsonObject? answer;
        try { answer = JsonNode.Parse(text) as JsonObject; }
        catch (JsonException) { return null; }
        var messageId = answer?["headers"]?["messageId"]?.GetValue<string>();
        if (messageId is null || answer!["code"]?.GetValue<int>() != 200) return null;
        var data = answer["data"]?.GetValue<string>() ?? "";
        if (connection.Pings.TryRemove(messageId, out var ping)) { ping.TrySetResult(data); return null; }
        string status;
        try { status = JsonNode.Parse(data)?["status"]?.GetValue<string>() ?? ""; }
        catch (JsonException) { status = ""; }
        lock (app)
        {
            var delivery = app.Deliveries.FirstOrDefault(d => d.MessageId == messageId && d.InFlightOn == connection.Id);
            if (delivery is null) return null;
            var ack = new FakeAck(delivery.EventId, messageId, status, DateTimeOffset.UtcNow);
            app.Acks.Add(ack);
            delivery.InFlightOn = null;
            if (status == "SUCCESS") delivery.Done = true;
            else delivery.DueAt = DateTimeOffset.UtcNow + RedeliveryDelay;
            return ack;
        }
    }

    private async Task DeliverAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try { await Task.Delay(50, _stopping.Token); }
            catch (OperationCanceledException) { return; }
            foreach (var app in _apps.Values)
            {
                List<(FakeConnection, string)> sends = [];
                lock (app)
                {
                    var now = DateTimeOffset.UtcNow;
                    foreach (var d in app.Deliveries.Where(d => d.InFlightOn is not null && now - d.SentAt > AckTimeout))
                        (d.InFlightOn, d.DueAt) = (null, now + RedeliveryDelay);
                    var connection = app.Connections.Values.FirstOrDefault();
                    if (connection is null) continue;
                    foreach (var d in app.Deliveries.Where(d => !d.Done && d.InFlightOn is null && d.DueAt <= now))
                    {
                        d.MessageId = Guid.NewGuid().ToString("N");
                        (d.InFlightOn, d.SentAt) = (connection.Id, now);
                        sends.Add((connection, EventFrame(app, connection, d)));
                    }
                }
                foreach (var (connection, frame) in sends)
                {
                    try { await connection.SendAsync(frame); }
                    catch (Exception e) when (e is WebSocketException or ObjectDisposedException) { connection.Socket.Abort(); }
                }
            }
        }
    }

    private static string EventFrame(FakeApp app, FakeConnection connection, Delivery d) => new JsonObject
    {
        ["specVersion"] = "1.0",
        ["type"] = "EVENT",
        ["headers"] = new JsonObject
        {
            ["appId"] = app.ClientId,
            ["connectionId"] = connection.Id,
            ["contentType"] = "application/json",
            ["messageId"] = d.MessageId,
            ["time"] = Millis(DateTimeOffset.UtcNow),
            ["topic"] = "*",
            ["eventId"] = d.EventId,
            ["eventType"] = d.EventType,
            ["eventBornTime"] = Millis(d.BornAt),
            ["eventCorpId"] = app.CorpId,
            ["eventUnifiedAppId"] = app.ClientId,
        },
        ["data"] = d.DataJson,
    }.ToJsonString();

    private static string SystemFrame(string topic, string data) => new JsonObject
    {
        ["specVersion"] = "1.0",
        ["type"] = "SYSTEM",
        ["headers"] = new JsonObject
        {
            ["contentType"] = "application/json",
            ["messageId"] = Guid.NewGuid().ToString("N"),
            ["time"] = Millis(DateTimeOffset.UtcNow),
            ["topic"] = topic,
        },
        ["data"] = data,
    }.ToJsonString();

    private static string Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private FakeApp App(string clientId) =>
        _apps.TryGetValue(clientId, out var app) ? app : throw new ArgumentException($"no app '{clientId}' is registered with the fake", nameof(clientId));

    // ---- /fake: the same controls over HTTP (the demo, a person with curl) ----------------------------------------

    private static void MapControl(WebApplication app, Func<DingTalkFakeServer> server)
    {
        var fake = app.MapGroup("/fake/apps");
        fake.MapPost("/", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
            server().RegisterApp(body!["client_id"]!.GetValue<string>(), body["client_secret"]!.GetValue<string>());
            return Results.NoContent();
        });
        fake.MapPost("/{clientId}/events", async (string clientId, HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
            var id = server().Publish(clientId, body!["event_type"]!.GetValue<string>(), body["data"]!.ToJsonString(), body["event_id"]?.GetValue<string>());
            return Results.Json(new { event_id = id });
        });
        fake.MapPost("/{clientId}/drop", (string clientId) => { server().DropConnections(clientId); return Results.NoContent(); });
        fake.MapPost("/{clientId}/disconnect", async (string clientId) => { await server().SendDisconnectAsync(clientId); return Results.NoContent(); });
        fake.MapGet("/{clientId}", (string clientId) =>
        {
            var (opened, most, now) = server().Connections(clientId);
            return Results.Json(new { connections_opened = opened, most_at_once = most, open_now = now, pending = server().Pending(clientId), acks = server().Acks(clientId).Count });
        });
    }

    private sealed class FakeApp(string clientId, string clientSecret, string corpId)
    {
        public string ClientId { get; } = clientId;
        public string ClientSecret { get; } = clientSecret;
        public string CorpId { get; } = corpId;
        public ConcurrentDictionary<string, FakeConnection> Connections { get; } = new();
        public List<Delivery> Deliveries { get; } = [];
        public List<FakeAck> Acks { get; } = [];
        public int Opened { get; set; }
        public int MostAtOnce { get; set; }
        public Func<FakeAck, Task>? AnswerObserver { get; set; }
    }

    private sealed class Delivery(string eventId, string eventType, string dataJson, DateTimeOffset bornAt)
    {
        public string EventId { get; } = eventId;
        public string EventType { get; } = eventType;
        public string DataJson { get; } = dataJson;
        public DateTimeOffset BornAt { get; } = bornAt;
        public string MessageId { get; set; } = "";
        public string? InFlightOn { get; set; }
        public DateTimeOffset SentAt { get; set; }
        public DateTimeOffset DueAt { get; set; } = DateTimeOffset.MinValue;
        public bool Done { get; set; }
    }

    private sealed class FakeConnection(string id, WebSocket socket)
    {
        private readonly SemaphoreSlim _send = new(1, 1);
        public string Id { get; } = id;
        public WebSocket Socket { get; } = socket;
        public ConcurrentDictionary<string, TaskCompletionSource<string>> Pings { get; } = new();

        public async Task SendAsync(string text)
        {
            await _send.WaitAsync();
            try { await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None); }
            finally { _send.Release(); }
        }
    }
}

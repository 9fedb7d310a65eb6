using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Pipeline;
using HrmsAttendance.DingTalkConnector.Monitoring;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.DingTalkConnector.Stream;

/// <summary>
/// One tenant's DingTalk stream while this replica holds its lease: connections/open → WebSocket with the ticket →
/// frames until the connection ends → open again. SYSTEM ping is answered with its data; SYSTEM disconnect opens a new
/// connection at once; an EVENT is acknowledged SUCCESS only after the pipeline stored its punches durably (the ledger or
/// the parked table), LATER when that failed (DingTalk redelivers it later). After a failure the next attempt waits
/// 1 s → 60 s (doubling, with jitter); a connection that opened resets the count.
/// </summary>
public sealed partial class TenantStream(
    DingTalkOpenApi openApi,
    PunchPipeline pipeline,
    StreamStatusStore status,
    ConnectorMetrics metrics,
    IOptions<DingTalkOptions> options,
    ILogger<TenantStream> logger)
{
    private const int MaxFrameBytes = 4 * 1024 * 1024;

    public async Task RunAsync(Guid tenant, string clientId, string clientSecret, CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            var reconnectAtOnce = false;
            try
            {
                var connection = await openApi.OpenConnectionAsync(clientId, clientSecret, ct);
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(DingTalkOpenApi.WebSocketAddress(connection), ct);
                failures = 0;
                await status.ConnectedAsync(tenant);
                Log.Connected(logger, tenant, connection.Endpoint);
                reconnectAtOnce = await ReceiveAsync(tenant, socket, ct);
                await CloseQuietlyAsync(socket);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or DingTalkOpenApiException or IOException
                                           or OperationCanceledException or System.Text.Json.JsonException)
            {
                failures++;
                Log.ConnectionFailed(logger, tenant, e.Message);
                await status.ErrorAsync(tenant, e.Message);
            }
            await status.DisconnectedAsync(tenant);
            if (ct.IsCancellationRequested) break;
            if (!reconnectAtOnce)
            {
                var delay = ReconnectBackoff.Delay(Math.Max(failures - 1, 0), options.Value.MinReconnectDelay, options.Value.MaxReconnectDelay, Random.Shared);
                try { await Task.Delay(delay, ct); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    /// <summary>Reads frames until the connection ends; true when DingTalk asked for a new connection (disconnect).</summary>
    private async Task<bool> ReceiveAsync(Guid tenant, ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (socket.State == WebSocketState.Open)
        {
            buffer.Clear();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), ct);
                buffer.Advance(result.Count);
                if (buffer.WrittenCount > MaxFrameBytes) throw new WebSocketException("a frame over 4 MiB");
            } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
            if (result.MessageType == WebSocketMessageType.Close) return false;
            if (result.MessageType != WebSocketMessageType.Text) continue;

            var frame = StreamFrames.Parse(Encoding.UTF8.GetString(buffer.WrittenSpan));
            if (frame is null)
            {
                Log.UnreadableFrame(logger, tenant);
                continue;
            }
            switch (frame.Type)
            {
                case StreamFrames.System when frame.Topic == StreamFrames.PingTopic:
                    await SendAsync(socket, StreamFrames.Pong(frame), ct);
                    metrics.Frame(pipeline.Provider, "ping", "pong");
                    break;
                case StreamFrames.System when frame.Topic == StreamFrames.DisconnectTopic:
                    Log.DisconnectRequested(logger, tenant);
                    metrics.Frame(pipeline.Provider, "disconnect", "none");
                    return true;
                case StreamFrames.System:
                    break; // CONNECTED, REGISTERED, KEEPALIVE…: nothing to answer
                case StreamFrames.Event:
                    await SendAsync(socket, await HandleEventAsync(tenant, frame, ct), ct);
                    break;
                default:
                    // A CALLBACK (we subscribe to none): answered, so it is not redelivered to us forever.
                    await SendAsync(socket, StreamFrames.EventAck(frame, StreamFrames.AckSuccess), ct);
                    break;
            }
        }
        return false;
    }

    private async Task<string> HandleEventAsync(Guid tenant, DownFrame frame, CancellationToken ct)
    {
        // The frame's trace: the pipeline's gRPC calls and Npgsql commands below become its children.
        using var activity = PunchPipeline.ActivitySource.StartActivity("DingTalk EVENT " + frame.EventType, ActivityKind.Consumer);
        activity?.SetTag("dingtalk.event_id", frame.EventId);
        activity?.SetTag("dingtalk.message_id", frame.MessageId);
        if (frame.EventType != StreamFrames.AttendanceCheckRecord)
        {
            metrics.Frame(pipeline.Provider, "event:other", StreamFrames.AckSuccess);
            return StreamFrames.EventAck(frame, StreamFrames.AckSuccess, "not an attendance event");
        }
        var (punches, unreadable) = AttendanceCheckRecords.Parse(frame);
        foreach (var problem in unreadable)
            Log.UnreadableRecord(logger, tenant, frame.EventId, problem);
        if (unreadable.Count > 0)
            await status.ErrorAsync(tenant, $"event {frame.EventId}: {unreadable.Count} unreadable check record(s): {unreadable[0]}");
        try
        {
            var result = await pipeline.IngestAsync(tenant, punches, ct);
            activity?.SetTag("attendance.recorded", result.Recorded);
            activity?.SetTag("attendance.parked", result.Parked);
            await status.EventAsync(tenant, frame.EventId, acknowledged: true);
            metrics.Frame(pipeline.Provider, "event", StreamFrames.AckSuccess);
            return StreamFrames.EventAck(frame, StreamFrames.AckSuccess);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Nothing is acknowledged that is not stored: DingTalk delivers it again later, and the pipeline is idempotent.
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            Log.EventDeferred(logger, tenant, frame.EventId, e.Message);
            await status.EventAsync(tenant, frame.EventId, acknowledged: false);
            await status.ErrorAsync(tenant, $"event {frame.EventId} deferred (LATER): {e.Message}");
            metrics.Frame(pipeline.Provider, "event", StreamFrames.AckLater);
            return StreamFrames.EventAck(frame, StreamFrames.AckLater, "not stored yet; deliver again later");
        }
    }

    private static Task SendAsync(ClientWebSocket socket, string text, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, ct);

    private static async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "reconnecting", timeout.Token); }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { socket.Abort(); }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "DingTalk stream of tenant {Tenant} connected to {Endpoint}")]
        public static partial void Connected(ILogger logger, Guid tenant, string endpoint);

        [LoggerMessage(2, LogLevel.Warning, "DingTalk stream of tenant {Tenant} failed: {Reason}; reconnecting with back-off")]
        public static partial void ConnectionFailed(ILogger logger, Guid tenant, string reason);

        [LoggerMessage(3, LogLevel.Information, "DingTalk asked tenant {Tenant}'s stream to reconnect (disconnect)")]
        public static partial void DisconnectRequested(ILogger logger, Guid tenant);

        [LoggerMessage(4, LogLevel.Warning, "DingTalk event {EventId} of tenant {Tenant} acknowledged LATER: {Reason}")]
        public static partial void EventDeferred(ILogger logger, Guid tenant, string eventId, string reason);

        [LoggerMessage(5, LogLevel.Warning, "DingTalk event {EventId} of tenant {Tenant}: {Problem}")]
        public static partial void UnreadableRecord(ILogger logger, Guid tenant, string eventId, string problem);

        [LoggerMessage(6, LogLevel.Warning, "DingTalk stream of tenant {Tenant}: a frame that is not Stream-mode JSON was ignored")]
        public static partial void UnreadableFrame(ILogger logger, Guid tenant);
    }
}

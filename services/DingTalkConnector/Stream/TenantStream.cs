using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Grpc.Core;
using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Pipeline;
using HrmsAttendance.DingTalkConnector.Monitoring;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.DingTalkConnector.Stream;

/// <summary>
/// One tenant's DingTalk stream while this replica holds its lease: connections/open → WebSocket with the ticket →
/// frames until the connection ends → open again. SYSTEM ping is answered with its data; SYSTEM disconnect opens a new
/// connection at once; attendance EVENTs that arrive together (within <see cref="DingTalkOptions.BatchLinger"/>, at most
/// <see cref="DingTalkOptions.BatchMaxFrames"/>) are stored as one batch, and each is acknowledged SUCCESS only after the
/// pipeline stored its punches durably (the ledger or the parked table), LATER when that failed (DingTalk redelivers it
/// later). After a failure the next attempt waits
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

    /// <summary>An attendance EVENT read from the socket, waiting to be stored with the others that arrived with it.</summary>
    private sealed record ArrivedEvent(DownFrame Frame, IReadOnlyList<ExternalPunch> Punches, Activity? Activity);

    /// <summary>
    /// Reads frames until the connection ends; true when DingTalk asked for a new connection (disconnect). Attendance
    /// events go to <see cref="StoreArrivedAsync"/>, which stores those that arrive together as one batch while this loop
    /// reads on (pings are answered meanwhile); when the connection ends, what arrived is still stored and answered if
    /// the socket is open.
    /// </summary>
    private async Task<bool> ReceiveAsync(Guid tenant, ClientWebSocket socket, CancellationToken ct)
    {
        var sending = new SemaphoreSlim(1, 1);
        var arrived = Channel.CreateBounded<ArrivedEvent>(new BoundedChannelOptions(4 * options.Value.BatchMaxFrames) { SingleReader = true, SingleWriter = true });
        var storing = Task.Run(() => StoreArrivedAsync(tenant, socket, sending, arrived.Reader, ct), CancellationToken.None);
        try
        {
            return await ReadFramesAsync(tenant, socket, sending, arrived.Writer, ct);
        }
        finally
        {
            arrived.Writer.TryComplete();
            await storing;
        }
    }

    private async Task<bool> ReadFramesAsync(Guid tenant, ClientWebSocket socket, SemaphoreSlim sending, ChannelWriter<ArrivedEvent> arrived, CancellationToken ct)
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
                    await SendAsync(socket, sending, StreamFrames.Pong(frame), ct);
                    metrics.Frame(pipeline.Provider, "ping", "pong");
                    break;
                case StreamFrames.System when frame.Topic == StreamFrames.DisconnectTopic:
                    Log.DisconnectRequested(logger, tenant);
                    metrics.Frame(pipeline.Provider, "disconnect", "none");
                    return true;
                case StreamFrames.System:
                    break; // CONNECTED, REGISTERED, KEEPALIVE…: nothing to answer
                case StreamFrames.Event when frame.EventType == StreamFrames.AttendanceCheckRecord:
                    await arrived.WriteAsync(await ArriveAsync(tenant, frame), ct);
                    break;
                case StreamFrames.Event:
                    metrics.Frame(pipeline.Provider, "event:other", StreamFrames.AckSuccess);
                    await SendAsync(socket, sending, StreamFrames.EventAck(frame, StreamFrames.AckSuccess, "not an attendance event"), ct);
                    break;
                default:
                    // A CALLBACK (we subscribe to none): answered, so it is not redelivered to us forever.
                    await SendAsync(socket, sending, StreamFrames.EventAck(frame, StreamFrames.AckSuccess), ct);
                    break;
            }
        }
        return false;
    }

    /// <summary>The event's punches, and its trace: a span from its arrival to its acknowledgement.</summary>
    private async Task<ArrivedEvent> ArriveAsync(Guid tenant, DownFrame frame)
    {
        var outside = Activity.Current;
        var activity = PunchPipeline.ActivitySource.StartActivity("DingTalk EVENT " + frame.EventType, ActivityKind.Consumer);
        Activity.Current = outside; // the span stays open while the loop reads on; it is no parent of the next frames'
        activity?.SetTag("dingtalk.event_id", frame.EventId);
        activity?.SetTag("dingtalk.message_id", frame.MessageId);
        var (punches, unreadable) = AttendanceCheckRecords.Parse(frame);
        foreach (var problem in unreadable)
            Log.UnreadableRecord(logger, tenant, frame.EventId, problem);
        if (unreadable.Count > 0)
            await status.ErrorAsync(tenant, $"event {frame.EventId}: {unreadable.Count} unreadable check record(s): {unreadable[0]}");
        return new ArrivedEvent(frame, punches, activity);
    }

    /// <summary>
    /// Stores the events that arrived together as one batch (one ResolveIdentities, one SubmitPunches through the
    /// pipeline), then answers each: SUCCESS only now that its punches are durable, LATER for every event of a batch
    /// that failed (DingTalk delivers them again later, and the pipeline is idempotent). A batch the services refuse
    /// for its content is stored event by event, so one bad event holds back none of the others.
    /// </summary>
    private async Task StoreArrivedAsync(Guid tenant, ClientWebSocket socket, SemaphoreSlim sending, ChannelReader<ArrivedEvent> arrived, CancellationToken ct)
    {
        try
        {
            await foreach (var batch in arrived.ReadBatchesAsync(options.Value.BatchMaxFrames, options.Value.BatchLinger, ct))
            {
                var failure = await StoreAsync(tenant, batch, ct);
                if (failure is RpcException { StatusCode: StatusCode.InvalidArgument or StatusCode.OutOfRange or StatusCode.FailedPrecondition } && batch.Count > 1)
                    foreach (var one in batch) await AnswerAsync(tenant, socket, sending, [one], await StoreAsync(tenant, [one], ct), ct);
                else
                    await AnswerAsync(tenant, socket, sending, batch, failure, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { /* stopping: unanswered events are redelivered */ }
    }

    /// <summary>Null when the batch's punches are durably stored; otherwise why not.</summary>
    private async Task<Exception?> StoreAsync(Guid tenant, IReadOnlyList<ArrivedEvent> batch, CancellationToken ct)
    {
        // The batch's span: a child of the first event's, linked to the others'; the pipeline's gRPC calls and Npgsql
        // commands become its children.
        var links = batch.Skip(1).Where(e => e.Activity is not null).Select(e => new ActivityLink(e.Activity!.Context));
        using var activity = PunchPipeline.ActivitySource.StartActivity(ActivityKind.Internal, batch[0].Activity?.Context ?? default, links: links,
            name: $"DingTalk store {batch.Count} event(s)");
        activity?.SetTag("attendance.tenant_id", tenant.ToString());
        activity?.SetTag("attendance.frames", batch.Count);
        try
        {
            var result = await pipeline.IngestAsync(tenant, batch.SelectMany(e => e.Punches).ToList(), ct);
            activity?.SetTag("attendance.recorded", result.Recorded);
            activity?.SetTag("attendance.parked", result.Parked);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            return e;
        }
    }

    private async Task AnswerAsync(Guid tenant, ClientWebSocket socket, SemaphoreSlim sending, IReadOnlyList<ArrivedEvent> batch, Exception? failure,
        CancellationToken ct)
    {
        var ack = failure is null ? StreamFrames.AckSuccess : StreamFrames.AckLater;
        foreach (var e in batch)
        {
            if (failure is not null)
            {
                e.Activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
                Log.EventDeferred(logger, tenant, e.Frame.EventId, failure.Message);
            }
            metrics.Frame(pipeline.Provider, "event", ack);
            try
            {
                await SendAsync(socket, sending, failure is null
                    ? StreamFrames.EventAck(e.Frame, ack)
                    : StreamFrames.EventAck(e.Frame, ack, "not stored yet; deliver again later"), ct);
            }
            catch (Exception error) when (error is WebSocketException or ObjectDisposedException)
            {
                // The connection is gone: DingTalk delivers the event again, and the pipeline records it once.
                Log.AckLost(logger, tenant, e.Frame.EventId, error.Message);
            }
            finally
            {
                e.Activity?.Dispose();
            }
        }
        try
        {
            await status.EventsAsync(tenant, batch[^1].Frame.EventId, batch.Count, acknowledged: failure is null);
            if (failure is not null)
                await status.ErrorAsync(tenant, $"{batch.Count} event(s) up to {batch[^1].Frame.EventId} deferred (LATER): {failure.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.StatusNotWritten(logger, tenant, e.Message); // Redis away: the status is a display, the events are answered
        }
    }

    /// <summary>One send at a time on the socket (the reading loop answers pings while the store answers events).</summary>
    private static async Task SendAsync(ClientWebSocket socket, SemaphoreSlim sending, string text, CancellationToken ct)
    {
        await sending.WaitAsync(ct);
        try { await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, ct); }
        finally { sending.Release(); }
    }

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

        [LoggerMessage(7, LogLevel.Information, "DingTalk event {EventId} of tenant {Tenant} is stored but its acknowledgement was not sent: {Reason}")]
        public static partial void AckLost(ILogger logger, Guid tenant, string eventId, string reason);

        [LoggerMessage(8, LogLevel.Warning, "DingTalk stream of tenant {Tenant}: the status was not written: {Reason}")]
        public static partial void StatusNotWritten(ILogger logger, Guid tenant, string reason);
    }
}

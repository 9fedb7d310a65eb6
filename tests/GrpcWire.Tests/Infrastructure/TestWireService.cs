using System.Collections.Concurrent;
using Google.Protobuf;
using HrmsAttendance.GrpcWire.Tests.Proto;

namespace HrmsAttendance.GrpcWire.Tests.Infrastructure;

/// <summary>The C# implementation of wiretest.v1.WireTest (see protos/wire_test.proto for the contract).</summary>
public sealed class TestWireService : IGrpcService
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> tokenFired = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> started = new();

    /// <summary>Completes when the WaitForCancel call whose request text is <paramref name="callId"/> is running.</summary>
    public Task HandlerStarted(string callId) => Probe(started, callId).Task;

    /// <summary>Completes when the WaitForCancel call whose request text is <paramref name="callId"/> saw its token fire.</summary>
    public Task HandlerTokenFired(string callId) => Probe(tokenFired, callId).Task;

    private readonly ConcurrentDictionary<string, TaskCompletionSource> released = new();

    /// <summary>Lets the IgnoreCancel call whose request text is <paramref name="callId"/> return.</summary>
    public void Release(string callId) => Probe(released, callId).TrySetResult();

    /// <summary>Request metadata seen by the last EchoMetadata call (for assertions on what arrived).</summary>
    public ConcurrentDictionary<string, Metadata> SeenHeaders { get; } = new();

    public void Bind(GrpcServiceBinder binder) => binder
        .AddUnary(WireTestMethods.Echo, Echo)
        .AddUnary(WireTestMethods.Fail, Fail)
        .AddServerStreaming(WireTestMethods.Stream, Stream)
        .AddClientStreaming(WireTestMethods.Collect, Collect)
        .AddDuplexStreaming(WireTestMethods.Chat, Chat)
        .AddUnary(WireTestMethods.EchoMetadata, EchoMetadata)
        .AddUnary(WireTestMethods.WaitForCancel, WaitForCancel)
        .AddUnary(WireTestMethods.IgnoreCancel, IgnoreCancel);

    private static Task<EchoReply> Echo(EchoRequest request, ServerCallContext context)
    {
        context.CompressResponses = request.CompressResponse;
        return Task.FromResult(new EchoReply { Text = request.Text, Payload = request.Payload });
    }

    private static Task<EchoReply> Fail(FailRequest request, ServerCallContext context)
    {
        if (request.Code < 0) throw new InvalidOperationException("secret internal detail");
        var trailers = new Metadata { { "x-fail-reason", "requested" } };
        throw new RpcException(new Status((StatusCode)request.Code, request.Message), trailers);
    }

    private static async Task Stream(EchoRequest request, IServerStreamWriter<EchoReply> responses, ServerCallContext context)
    {
        context.CompressResponses = request.CompressResponse;
        for (var i = 0; i < request.Count; i++)
            await responses.WriteAsync(new EchoReply { Text = $"{request.Text} {i}", Index = i, Payload = request.Payload });
    }

    private static async Task<EchoReply> Collect(IAsyncStreamReader<EchoRequest> requests, ServerCallContext context)
    {
        var texts = new List<string>();
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
            texts.Add(request.Text);
        return new EchoReply { Text = string.Join(",", texts), Index = texts.Count };
    }

    private static async Task Chat(IAsyncStreamReader<EchoRequest> requests, IServerStreamWriter<EchoReply> responses, ServerCallContext context)
    {
        var index = 0;
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
            await responses.WriteAsync(new EchoReply { Text = "pong " + request.Text, Index = index++ });
    }

    private async Task<EchoReply> EchoMetadata(EchoRequest request, ServerCallContext context)
    {
        var headers = context.RequestHeaders;
        SeenHeaders[request.Text] = headers;
        var text = headers.GetValue("x-text") ?? "";
        var data = headers.GetBytes("x-data-bin") ?? [];
        await context.WriteResponseHeadersAsync(new Metadata { { "x-text-initial", text }, { "x-data-initial-bin", data } });
        context.ResponseTrailers.Add("x-text-trailer", text);
        context.ResponseTrailers.Add("x-data-trailer-bin", data);
        return new EchoReply { Text = text, Payload = ByteString.CopyFrom(data) };
    }

    private async Task<EchoReply> WaitForCancel(EchoRequest request, ServerCallContext context)
    {
        var fired = Probe(tokenFired, request.Text);
        await using var registration = context.CancellationToken.Register(() => fired.TrySetResult());
        Probe(started, request.Text).TrySetResult();
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
        return new EchoReply();
    }

    private async Task<EchoReply> IgnoreCancel(EchoRequest request, ServerCallContext context)
    {
        Probe(started, request.Text).TrySetResult();
        await Probe(released, request.Text).Task;
        Probe(tokenFired, request.Text).TrySetResult(); // "finished" for this method
        return new EchoReply { Text = "released" };
    }

    private static TaskCompletionSource Probe(ConcurrentDictionary<string, TaskCompletionSource> probes, string callId) =>
        probes.GetOrAdd(callId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

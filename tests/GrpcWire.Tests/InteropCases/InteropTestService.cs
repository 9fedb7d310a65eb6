using Google.Protobuf;
using HrmsAttendance.GrpcWire.Server;
using HrmsAttendance.GrpcWire.Tests.Interop.Testing;

namespace HrmsAttendance.GrpcWire.Tests.InteropCases;

/// <summary>
/// grpc.testing.TestService on GrpcWire, with the server features the interop test descriptions name:
/// EmptyCall, UnaryCall, StreamingOutputCall, StreamingInputCall, FullDuplexCall, HalfDuplexCall,
/// CompressedRequest, CompressedResponse, Echo Status, Echo Metadata, interval_us.
/// UnimplementedCall is deliberately not bound.
/// </summary>
public sealed class InteropTestService : IGrpcService
{
    public const string EchoInitialKey = "x-grpc-test-echo-initial";
    public const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    public void Bind(GrpcServiceBinder binder) => binder
        .AddUnary(TestServiceMethods.EmptyCall, (_, _) => Task.FromResult(new Empty()))
        .AddUnary(TestServiceMethods.UnaryCall, UnaryCall)
        .AddServerStreaming(TestServiceMethods.StreamingOutputCall, StreamingOutputCall)
        .AddClientStreaming(TestServiceMethods.StreamingInputCall, StreamingInputCall)
        .AddDuplexStreaming(TestServiceMethods.FullDuplexCall, FullDuplexCall)
        .AddDuplexStreaming(TestServiceMethods.HalfDuplexCall, HalfDuplexCall);

    private static async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        context.CompressResponses = request.ResponseCompressed?.Value == true;
        await EchoMetadataAsync(context);
        EnsureCompressedAsExpected(request.ExpectCompressed, context);
        ThrowIfStatusRequested(request.ResponseStatus);
        return new SimpleResponse { Payload = Zeros(request.ResponseSize) };
    }

    private static async Task StreamingOutputCall(StreamingOutputCallRequest request,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        // grpc-encoding goes out with the headers: decide it for the whole call, then per message.
        context.CompressResponses = request.ResponseParameters.Any(p => p.Compressed?.Value == true);
        await EchoMetadataAsync(context);
        await WriteResponsesAsync(request, responses, context);
        ThrowIfStatusRequested(request.ResponseStatus);
    }

    private static async Task<StreamingInputCallResponse> StreamingInputCall(
        IAsyncStreamReader<StreamingInputCallRequest> requests, ServerCallContext context)
    {
        var total = 0;
        while (await requests.MoveNext(context.CancellationToken))
        {
            EnsureCompressedAsExpected(requests.Current.ExpectCompressed, context);
            total += requests.Current.Payload?.Body.Length ?? 0;
        }
        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    private static async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        while (await requests.MoveNext(context.CancellationToken))
        {
            ThrowIfStatusRequested(requests.Current.ResponseStatus);
            await WriteResponsesAsync(requests.Current, responses, context);
        }
    }

    private static async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        var buffered = new List<StreamingOutputCallRequest>();
        while (await requests.MoveNext(context.CancellationToken)) buffered.Add(requests.Current);
        foreach (var request in buffered) await WriteResponsesAsync(request, responses, context);
    }

    private static async Task WriteResponsesAsync(StreamingOutputCallRequest request,
        IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), context.CancellationToken);
            context.CompressResponses = parameters.Compressed?.Value == true;
            await responses.WriteAsync(new StreamingOutputCallResponse { Payload = Zeros(parameters.Size) }, context.CancellationToken);
        }
    }

    /// <summary>Echo Metadata: the initial key back as initial metadata, the trailing key as a trailer.</summary>
    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(EchoInitialKey) is { } initial)
            await context.WriteResponseHeadersAsync(new Metadata { { EchoInitialKey, initial } });
        if (context.RequestHeaders.GetBytes(EchoTrailingKey) is { } trailing)
            context.ResponseTrailers.Add(EchoTrailingKey, trailing);
    }

    /// <summary>CompressedRequest: a message that should have been compressed but was not is INVALID_ARGUMENT.</summary>
    private static void EnsureCompressedAsExpected(BoolValue? expectCompressed, ServerCallContext context)
    {
        var compressed = ((HttpServerCallContext)context).LastRequestMessageCompressed;
        if (expectCompressed?.Value == true && !compressed)
            throw new RpcException(StatusCode.InvalidArgument, "Expected a compressed request message.");
        if (expectCompressed?.Value == false && compressed)
            throw new RpcException(StatusCode.InvalidArgument, "Expected an uncompressed request message.");
    }

    private static void ThrowIfStatusRequested(EchoStatus? status)
    {
        if (status is { Code: not 0 })
            throw new RpcException((StatusCode)status.Code, status.Message);
    }

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };
}

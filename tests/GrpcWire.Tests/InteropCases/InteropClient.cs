using Google.Protobuf;
using HrmsAttendance.GrpcWire.Client;
using HrmsAttendance.GrpcWire.Tests.Interop.Testing;

namespace HrmsAttendance.GrpcWire.Tests.InteropCases;

/// <summary>
/// The interop test cases (client side) on our GrpcChannel, each as the public test descriptions
/// define its procedure and assertions. Run against our Kestrel server and against grpc-js.
/// </summary>
public static class InteropClient
{
    /// <summary>Cases every server here supports.</summary>
    public static readonly string[] CommonCases =
    [
        "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
        "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server", "custom_metadata",
        "status_code_and_message", "special_status_message", "unimplemented_method", "unimplemented_service",
    ];

    /// <summary>Cases that need the CompressedRequest/CompressedResponse server features (our server has them; server.js does not).</summary>
    public static readonly string[] CompressionCases =
        ["client_compressed_unary", "server_compressed_unary", "client_compressed_streaming", "server_compressed_streaming"];

    public const string SpecialStatusMessage = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";

    public static Task RunAsync(string testCase, GrpcChannel channel) => testCase switch
    {
        "empty_unary" => EmptyUnary(channel),
        "large_unary" => LargeUnary(channel),
        "client_compressed_unary" => ClientCompressedUnary(channel),
        "server_compressed_unary" => ServerCompressedUnary(channel),
        "client_streaming" => ClientStreaming(channel),
        "client_compressed_streaming" => ClientCompressedStreaming(channel),
        "server_streaming" => ServerStreaming(channel),
        "server_compressed_streaming" => ServerCompressedStreaming(channel),
        "ping_pong" => PingPong(channel),
        "empty_stream" => EmptyStream(channel),
        "cancel_after_begin" => CancelAfterBegin(channel),
        "cancel_after_first_response" => CancelAfterFirstResponse(channel),
        "timeout_on_sleeping_server" => TimeoutOnSleepingServer(channel),
        "custom_metadata" => CustomMetadata(channel),
        "status_code_and_message" => StatusCodeAndMessage(channel, "test status message"),
        "special_status_message" => StatusCodeAndMessage(channel, SpecialStatusMessage, unaryOnly: true),
        "unimplemented_method" => Unimplemented(channel, TestServiceMethods.UnimplementedCall),
        "unimplemented_service" => Unimplemented(channel, TestServiceMethods.UnimplementedServiceCall),
        _ => throw new ArgumentException($"Unknown test case '{testCase}'.", nameof(testCase)),
    };

    private static async Task EmptyUnary(GrpcChannel channel) =>
        Assert.NotNull(await channel.UnaryAsync(TestServiceMethods.EmptyCall, new Empty()));

    private static async Task LargeUnary(GrpcChannel channel)
    {
        var response = await channel.UnaryAsync(TestServiceMethods.UnaryCall, LargeRequest());
        AssertZeros(314159, response.Payload);
    }

    private static async Task ClientCompressedUnary(GrpcChannel channel)
    {
        var probe = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(TestServiceMethods.UnaryCall, LargeRequest(expectCompressed: true)));
        Assert.Equal(StatusCode.InvalidArgument, probe.StatusCode);

        var compressed = await channel.UnaryAsync(TestServiceMethods.UnaryCall, LargeRequest(expectCompressed: true),
            new CallOptions { CompressRequests = true });
        AssertZeros(314159, compressed.Payload);

        var plain = await channel.UnaryAsync(TestServiceMethods.UnaryCall, LargeRequest(expectCompressed: false));
        AssertZeros(314159, plain.Payload);
    }

    private static async Task ServerCompressedUnary(GrpcChannel channel)
    {
        // Our client cannot see the per-message flag; CompressionFlagWireTests checks it on the wire.
        foreach (var compress in new[] { true, false })
        {
            var request = LargeRequest();
            request.ResponseCompressed = new BoolValue { Value = compress };
            AssertZeros(314159, (await channel.UnaryAsync(TestServiceMethods.UnaryCall, request)).Payload);
        }
    }

    private static async Task ClientStreaming(GrpcChannel channel)
    {
        using var call = channel.ClientStreaming(TestServiceMethods.StreamingInputCall);
        foreach (var size in new[] { 27182, 8, 1828, 45904 })
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) });
        await call.RequestStream.CompleteAsync();

        Assert.Equal(74922, (await call.ResponseAsync).AggregatedPayloadSize);
    }

    private static async Task ClientCompressedStreaming(GrpcChannel channel)
    {
        using (var probe = channel.ClientStreaming(TestServiceMethods.StreamingInputCall))
        {
            // The server may reject the probe before or after we finish writing.
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await probe.RequestStream.WriteAsync(new StreamingInputCallRequest { ExpectCompressed = new() { Value = true }, Payload = Zeros(27182) });
                await probe.RequestStream.CompleteAsync();
                await probe.ResponseAsync;
            });
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        }

        using var call = channel.ClientStreaming(TestServiceMethods.StreamingInputCall, new CallOptions { CompressRequests = true });
        await call.RequestStream.WriteAsync(new StreamingInputCallRequest { ExpectCompressed = new() { Value = true }, Payload = Zeros(27182) });
        ((ClientRequestStream<StreamingInputCallRequest, StreamingInputCallResponse>)call.RequestStream).Call.CompressRequestMessages = false;
        await call.RequestStream.WriteAsync(new StreamingInputCallRequest { ExpectCompressed = new() { Value = false }, Payload = Zeros(45904) });
        await call.RequestStream.CompleteAsync();

        Assert.Equal(73086, (await call.ResponseAsync).AggregatedPayloadSize);
    }

    private static async Task ServerStreaming(GrpcChannel channel)
    {
        var request = new StreamingOutputCallRequest();
        foreach (var size in new[] { 31415, 9, 2653, 58979 }) request.ResponseParameters.Add(new ResponseParameters { Size = size });
        using var call = channel.ServerStreaming(TestServiceMethods.StreamingOutputCall, request);

        var sizes = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync()) sizes.Add(response.Payload.Body.Length);

        Assert.Equal([31415, 9, 2653, 58979], sizes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static async Task ServerCompressedStreaming(GrpcChannel channel)
    {
        var request = new StreamingOutputCallRequest
        {
            ResponseParameters =
            {
                new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } },
                new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } },
            },
        };
        using var call = channel.ServerStreaming(TestServiceMethods.StreamingOutputCall, request);
        var sizes = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync()) sizes.Add(response.Payload.Body.Length);

        Assert.Equal([31415, 92653], sizes);
    }

    private static async Task PingPong(GrpcChannel channel)
    {
        using var call = channel.DuplexStreaming(TestServiceMethods.FullDuplexCall);
        foreach (var (responseSize, requestSize) in new[] { (31415, 27182), (9, 8), (2653, 1828), (58979, 45904) })
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest
            {
                ResponseParameters = { new ResponseParameters { Size = responseSize } },
                Payload = Zeros(requestSize),
            });
            Assert.True(await call.ResponseStream.MoveNext());
            AssertZeros(responseSize, call.ResponseStream.Current.Payload);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static async Task EmptyStream(GrpcChannel channel)
    {
        using var call = channel.DuplexStreaming(TestServiceMethods.FullDuplexCall);
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static async Task CancelAfterBegin(GrpcChannel channel)
    {
        using var cts = new CancellationTokenSource();
        using var call = channel.ClientStreaming(TestServiceMethods.StreamingInputCall, new CallOptions(CancellationToken: cts.Token));
        cts.Cancel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    private static async Task CancelAfterFirstResponse(GrpcChannel channel)
    {
        using var cts = new CancellationTokenSource();
        using var call = channel.DuplexStreaming(TestServiceMethods.FullDuplexCall, new CallOptions(CancellationToken: cts.Token));
        await call.RequestStream.WriteAsync(new StreamingOutputCallRequest
        {
            ResponseParameters = { new ResponseParameters { Size = 31415 } },
            Payload = Zeros(27182),
        });
        Assert.True(await call.ResponseStream.MoveNext());
        cts.Cancel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    private static async Task TimeoutOnSleepingServer(GrpcChannel channel)
    {
        using var call = channel.DuplexStreaming(TestServiceMethods.FullDuplexCall, new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(1)));
        try
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) });
        }
        catch (RpcException ex)
        {
            Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode); // the deadline may pass before the write
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    private static async Task CustomMetadata(GrpcChannel channel)
    {
        var trailingValue = new byte[] { 0xab, 0xab, 0xab };
        Metadata Headers() => new()
        {
            { InteropTestService.EchoInitialKey, "test_initial_metadata_value" },
            { InteropTestService.EchoTrailingKey, trailingValue },
        };

        using (var unary = channel.UnaryCall(TestServiceMethods.UnaryCall, LargeRequest(), new CallOptions(Headers: Headers())))
        {
            AssertZeros(314159, (await unary.ResponseAsync).Payload);
            Assert.Equal("test_initial_metadata_value", (await unary.ResponseHeadersAsync).GetValue(InteropTestService.EchoInitialKey));
            Assert.Equal(trailingValue, unary.GetTrailers().GetBytes(InteropTestService.EchoTrailingKey));
        }

        using var duplex = channel.DuplexStreaming(TestServiceMethods.FullDuplexCall, new CallOptions(Headers: Headers()));
        await duplex.RequestStream.WriteAsync(new StreamingOutputCallRequest
        {
            ResponseParameters = { new ResponseParameters { Size = 314159 } },
            Payload = Zeros(271828),
        });
        await duplex.RequestStream.CompleteAsync();
        Assert.Equal("test_initial_metadata_value", (await duplex.ResponseHeadersAsync).GetValue(InteropTestService.EchoInitialKey));
        while (await duplex.ResponseStream.MoveNext()) AssertZeros(314159, duplex.ResponseStream.Current.Payload);
        Assert.Equal(trailingValue, duplex.GetTrailers().GetBytes(InteropTestService.EchoTrailingKey));
    }

    private static async Task StatusCodeAndMessage(GrpcChannel channel, string message, bool unaryOnly = false)
    {
        var status = new EchoStatus { Code = 2, Message = message };
        var unary = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(TestServiceMethods.UnaryCall, new SimpleRequest { ResponseStatus = status }));
        Assert.Equal(StatusCode.Unknown, unary.StatusCode);
        Assert.Equal(message, unary.Status.Detail);
        if (unaryOnly) return;

        using var duplex = channel.DuplexStreaming(TestServiceMethods.FullDuplexCall);
        await duplex.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = status });
        await duplex.RequestStream.CompleteAsync();
        var streamed = await Assert.ThrowsAsync<RpcException>(() => duplex.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unknown, streamed.StatusCode);
        Assert.Equal(message, streamed.Status.Detail);
    }

    private static async Task Unimplemented(GrpcChannel channel, Method<Empty, Empty> method)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(method, new Empty()));
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    private static SimpleRequest LargeRequest(bool? expectCompressed = null)
    {
        var request = new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) };
        if (expectCompressed is { } expect) request.ExpectCompressed = new BoolValue { Value = expect };
        return request;
    }

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static void AssertZeros(int expectedSize, Payload payload)
    {
        Assert.Equal(expectedSize, payload.Body.Length);
        Assert.True(payload.Body.Span.IndexOfAnyExcept((byte)0) < 0, "payload is not all zeros");
    }
}

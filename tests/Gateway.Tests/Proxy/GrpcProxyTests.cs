using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Tests.Harness;
using HrmsAttendance.Gateway.Tests.Shapes;
using HrmsAttendance.Tokens;
using Google.Protobuf;

namespace HrmsAttendance.Gateway.Tests.Proxy;

/// <summary>
/// gRPC through the gateway (YARP, HTTP/2 h2c upstream) to a Grpc.AspNetCore backend, as a tenant admin (no body
/// inspection): every call shape, status and trailers, -bin metadata, deadlines, cancellation, identity headers, traces.
/// </summary>
public sealed class GrpcProxyTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private const int MiB = 1024 * 1024;

    private readonly ShapesService _shapes = new();
    private GatewayHarness _h = null!;
    private GrpcChannel _channel = null!;
    private PunchLedger.PunchLedgerClient _client = null!;
    private Metadata _admin = null!;

    public async Task InitializeAsync()
    {
        _h = GatewayHarness.Start(await Backends.StartShapesAsync(_shapes));
        _channel = _h.Gateway.Channel();
        _client = new PunchLedger.PunchLedgerClient(_channel);
        _admin = GatewayHarness.Bearer(_h.Token(AccessRoles.TenantAdmin));
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _h.DisposeAsync();
    }

    [Fact]
    public async Task Unary_call_reaches_the_service_over_http2_and_its_answer_comes_back()
    {
        var reply = await _client.SubmitPunchAsync(new Chunk { Text = "hello" }, _admin);

        Assert.Equal("echo:hello", reply.Text);
        var seen = _h.Backend.LastRequest;
        Assert.Equal("HTTP/2", seen.Protocol);
        Assert.Equal("/attendance.ledger.v1.PunchLedger/SubmitPunch", seen.PathAndQuery);
        Assert.Equal("application/grpc", seen.Single("content-type"));
    }

    [Fact]
    public async Task Server_streamed_messages_arrive_while_the_service_is_still_producing()
    {
        var releaseSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _shapes.ServerStream = async (request, stream, context) =>
        {
            await stream.WriteAsync(new Chunk { Text = "1" });
            await releaseSecond.Task.WaitAsync(context.CancellationToken); // blocked until the client has message 1
            await stream.WriteAsync(new Chunk { Text = "2" });
        };

        using var call = _client.ListPunches(new Chunk(), _admin);
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience), "message 1 did not arrive while the service waited");
        Assert.Equal("1", call.ResponseStream.Current.Text);
        releaseSecond.SetResult();
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal("2", call.ResponseStream.Current.Text);
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streamed_messages_reach_the_service_one_by_one_before_the_stream_ends()
    {
        var received = new System.Collections.Concurrent.BlockingCollection<string>();
        _shapes.Duplex = async (requests, responses, context) =>
        {
            var count = 0;
            await foreach (var request in requests.ReadAllAsync(context.CancellationToken)) { received.Add(request.Text); count++; }
            await responses.WriteAsync(new Chunk { Text = $"got {count}" }); // one answer at the end: a client stream
        };

        using var call = _client.StreamPunches(_admin);
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new Chunk { Text = $"m{i}" });
            Assert.True(received.TryTake(out var seen, Patience), $"m{i} did not reach the service before the next was sent");
            Assert.Equal($"m{i}", seen);
        }
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal("got 3", call.ResponseStream.Current.Text);
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
    }

    [Fact]
    public async Task Duplex_call_interleaves_requests_and_responses()
    {
        using var call = _client.StreamPunches(_admin);
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new Chunk { Text = $"m{i}" });
            Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
            Assert.Equal($"echo:m{i}", call.ResponseStream.Current.Text);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Fifty_megabytes_stream_through_in_lock_step_without_being_buffered()
    {
        // The client sends the next mebibyte only once the service has acknowledged this one, in both directions a
        // message at a time: a proxy that buffers a stream (either way) deadlocks here.
        const int megabytes = 50;
        _shapes.Duplex = async (requests, responses, context) =>
        {
            long total = 0;
            await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
            {
                total += request.Data.Length;
                await responses.WriteAsync(new Chunk { Text = total.ToString(System.Globalization.CultureInfo.InvariantCulture), Data = request.Data });
            }
        };
        var chunk = new byte[MiB];
        new Random(7).NextBytes(chunk);
        var data = ByteString.CopyFrom(chunk);

        using var call = _client.StreamPunches(_admin);
        for (var i = 1; i <= megabytes; i++)
        {
            await call.RequestStream.WriteAsync(new Chunk { Data = data }).WaitAsync(Patience);
            Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience), $"no acknowledgement of mebibyte {i}");
            Assert.Equal((i * (long)MiB).ToString(System.Globalization.CultureInfo.InvariantCulture), call.ResponseStream.Current.Text);
            Assert.True(call.ResponseStream.Current.Data.Span.SequenceEqual(chunk), $"mebibyte {i} came back changed");
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Error_status_after_a_message_keeps_its_unicode_message_and_trailers_including_binary_ones()
    {
        _shapes.ServerStream = async (request, stream, context) =>
        {
            await stream.WriteAsync(new Chunk { Text = "first" });
            context.ResponseTrailers.Add("x-detail", "plain");
            context.ResponseTrailers.Add("x-blob-bin", new byte[] { 0, 1, 2, 254, 255 });
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "STAFFING_CONFLICT: 打卡 already – exists"));
        };

        using var call = _client.ListPunches(new Chunk(), _admin);
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(Patience));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("STAFFING_CONFLICT: 打卡 already – exists", error.Status.Detail);
        Assert.Equal("plain", error.Trailers.GetValue("x-detail"));
        Assert.Equal(new byte[] { 0, 1, 2, 254, 255 }, error.Trailers.GetValueBytes("x-blob-bin"));
    }

    [Fact]
    public async Task Binary_and_text_metadata_reach_the_service_and_response_headers_come_back()
    {
        Metadata? seen = null;
        _shapes.Unary = async (request, context) =>
        {
            seen = context.RequestHeaders;
            await context.WriteResponseHeadersAsync(new Metadata { { "x-echo-bin", context.RequestHeaders.GetValueBytes("x-key-bin")! } });
            return new Chunk();
        };
        var headers = new Metadata { { "authorization", _admin.GetValue("authorization")! }, { "x-key-bin", new byte[] { 9, 0, 200 } }, { "x-request", "r-1" } };

        using var call = _client.SubmitPunchAsync(new Chunk(), headers);
        var responseHeaders = await call.ResponseHeadersAsync.WaitAsync(Patience);
        await call.ResponseAsync.WaitAsync(Patience);

        Assert.Equal(new byte[] { 9, 0, 200 }, seen!.GetValueBytes("x-key-bin"));
        Assert.Equal("r-1", seen.GetValue("x-request"));
        Assert.Equal(new byte[] { 9, 0, 200 }, responseHeaders.GetValueBytes("x-echo-bin"));
    }

    [Fact]
    public async Task Trailers_only_error_of_the_service_reaches_the_client_as_one_headers_frame()
    {
        _shapes.Unary = (_, _) => throw new RpcException(new Status(StatusCode.NotFound, "STAFFING_NOT_FOUND: nothing"));

        var frames = await RawHttp2.PostAsync(_h.Gateway.GrpcAddress, "/attendance.ledger.v1.PunchLedger/SubmitPunch",
            [("content-type", "application/grpc"), ("te", "trailers"), ("authorization", _admin.GetValue("authorization")!)],
            Access.AccessTestKit.Frame(new Chunk { Text = "x" }));

        var only = Assert.Single(frames);
        Assert.Equal(RawHttp2.Headers, only.Type);
        Assert.True(only.HasEndStream, string.Join(", ", frames));

        // And Grpc.Net.Client reads it as the service's status.
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.SubmitPunchAsync(new Chunk(), _admin).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("STAFFING_NOT_FOUND: nothing", error.Status.Detail);
    }

    [Fact]
    public async Task Ok_response_keeps_its_shape_headers_data_and_http2_trailers()
    {
        using var h2 = _h.Gateway.H2();
        using var request = GatewayFactory.GrpcRequest("/attendance.ledger.v1.PunchLedger/SubmitPunch",
            Access.AccessTestKit.Frame(new Chunk { Text = "x" }), _h.Token(AccessRoles.TenantAdmin));

        using var response = await h2.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("grpc-status"));
        Assert.Equal(Access.AccessTestKit.Frame(new Chunk { Text = "echo:x" }), body);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task The_deadline_travels_to_the_service_and_ends_the_call_deadline_exceeded()
    {
        var serviceDeadline = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        var serviceCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _shapes.Unary = async (_, context) =>
        {
            serviceDeadline.TrySetResult(context.Deadline);
            context.CancellationToken.Register(() => serviceCancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new Chunk();
        };
        var deadline = DateTime.UtcNow.AddMilliseconds(500);

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.SubmitPunchAsync(new Chunk(), _admin, deadline).ResponseAsync.WaitAsync(Patience));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        var seen = await serviceDeadline.Task.WaitAsync(Patience);
        Assert.InRange(seen, deadline.AddSeconds(-1), deadline.AddSeconds(1)); // grpc-timeout was forwarded
        await serviceCancelled.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_deadline_the_service_enforces_comes_back_as_its_deadline_exceeded_status()
    {
        // A raw call (no client-side timer): only the service's own deadline, from the forwarded grpc-timeout, ends it.
        _shapes.Unary = async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new Chunk();
        };
        using var h2 = _h.Gateway.H2();
        using var request = GatewayFactory.GrpcRequest("/attendance.ledger.v1.PunchLedger/SubmitPunch",
            Access.AccessTestKit.Frame(new Chunk()), _h.Token(AccessRoles.TenantAdmin));
        request.Headers.TryAddWithoutValidation("grpc-timeout", "300m");

        using var response = await h2.SendAsync(request).WaitAsync(Patience);
        var (status, _) = await GatewayFactory.GrpcStatusAsync(response);

        Assert.Equal((int)StatusCode.DeadlineExceeded, status);
    }

    [Fact]
    public async Task Client_cancellation_reaches_the_service()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var serviceCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _shapes.ServerStream = async (_, stream, context) =>
        {
            context.CancellationToken.Register(() => serviceCancelled.TrySetResult());
            await stream.WriteAsync(new Chunk { Text = "1" });
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        };
        using var cancel = new CancellationTokenSource();

        using var call = _client.ListPunches(new Chunk(), _admin, cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        await started.Task.WaitAsync(Patience);
        cancel.Cancel();

        await serviceCancelled.Task.WaitAsync(Patience);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Forged_identity_headers_never_reach_the_service_and_the_callers_token_does()
    {
        var token = _h.Token(AccessRoles.TenantAdmin, subject: "admin-7");
        var headers = new Metadata
        {
            { "authorization", "Bearer " + token },
            { "x-tenant-id", "00000000-0000-0000-0000-000000000001" },
            { "X-Principal-Id", "root" },
            { "x-roles", "tenant-admin,integration" },
            { "x-person-id", Guid.NewGuid().ToString("D") },
            { "x-gateway-trusted", "yes" },
        };

        await _client.SubmitPunchAsync(new Chunk(), headers);

        // The service validates the same token again and reads the caller from it; no identity header reaches it.
        var seen = _h.Backend.LastRequest;
        Assert.Equal(["Bearer " + token], seen.Values("authorization"));
        Assert.Empty(seen.Values("x-gateway-trusted"));
        Assert.Empty(seen.Values("x-tenant-id"));
        Assert.Empty(seen.Values("x-principal-id"));
        Assert.Empty(seen.Values("x-roles"));
        Assert.Empty(seen.Values("x-person-id"));
    }

    [Fact]
    public async Task Trace_context_continues_the_clients_trace_under_the_gateways_span()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string clientSpan = "00f067aa0ba902b7";
        using var h2 = _h.Gateway.H2();
        using var request = GatewayFactory.GrpcRequest("/attendance.ledger.v1.PunchLedger/SubmitPunch",
            Access.AccessTestKit.Frame(new Chunk()), _h.Token(AccessRoles.TenantAdmin));
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{clientSpan}-01");

        using var response = await h2.SendAsync(request);
        Assert.Equal(0, (await GatewayFactory.GrpcStatusAsync(response)).Status);

        var traceparent = Assert.Single(_h.Backend.LastRequest.Values("traceparent")).Split('-');
        Assert.Equal(traceId, traceparent[1]);
        Assert.NotEqual(clientSpan, traceparent[2]); // the gateway's (outgoing) span is the service's parent
    }

    [Fact]
    public async Task Unknown_methods_are_unimplemented_with_the_gateway_code_and_never_forwarded()
    {
        var before = _h.Backend.Requests.Count;
        foreach (var path in new[] { "/attendance.ledger.v1.PunchLedger/DeletePunch", "/attendance.ledger.v1.punchledger/SubmitPunch", "/grpc.health.v1.Health/Check", "/other.v1.Thing/Do" })
        {
            var method = new Method<Chunk, Chunk>(MethodType.Unary, path.Split('/')[1], path.Split('/')[2], Chunk.Parser.ToMarshaller(), Chunk.Parser.ToMarshaller());
            var error = await Assert.ThrowsAsync<RpcException>(() => _channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(_admin), new Chunk()).ResponseAsync);
            Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
            Assert.StartsWith(GatewayErrors.RouteNotFound + ":", error.Status.Detail);
        }
        Assert.Equal(before, _h.Backend.Requests.Count);
    }

    [Fact]
    public async Task A_grpc_path_asked_over_plain_http_has_no_route()
    {
        using var http = _h.Gateway.Http();
        using var response = await http.PostAsync("/attendance.ledger.v1.PunchLedger/SubmitPunch", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(GatewayErrors.RouteNotFound, await response.Content.ReadAsStringAsync());
    }
}

internal static class ParserExtensions
{
    public static Marshaller<T> ToMarshaller<T>(this MessageParser<T> parser) where T : IMessage<T> =>
        Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
}

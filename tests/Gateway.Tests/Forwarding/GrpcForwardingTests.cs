using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Forwarding;
using HrmsAttendance.GrpcWire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.Gateway.Tests.Forwarding;

public sealed class GrpcForwardingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Unary_call_reaches_the_upstream_over_http2_and_its_answer_comes_back()
    {
        await using var h = await ForwardingHarness.StartAsync();

        var reply = await h.Channel.UnaryAsync(TestMethods.Unary, new StringValue { Value = "hello" });

        Assert.Equal("echo:hello", reply.Value);
        var seen = h.SingleUpstreamRequest();
        Assert.Equal("HTTP/2", seen.Protocol);
        Assert.Equal("/forwardtest.v1.Echo/Unary", seen.PathAndQuery);
        Assert.Equal("trailers", seen.Single("te"));
        Assert.Equal("application/grpc", seen.Single("content-type"));
        Assert.Equal(ForwardingOutcome.Success, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task Server_streamed_messages_arrive_while_the_upstream_is_still_producing()
    {
        await using var h = await ForwardingHarness.StartAsync();
        var releaseSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Grpc.ServerStream = async (request, stream, context) =>
        {
            await stream.WriteAsync(new StringValue { Value = "1" });
            await releaseSecond.Task.WaitAsync(context.CancellationToken); // blocked until the client has message 1
            await stream.WriteAsync(new StringValue { Value = "2" });
        };

        using var call = h.Channel.ServerStreaming(TestMethods.ServerStream, new StringValue());
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience), "message 1 did not arrive while the upstream waited");
        Assert.Equal("1", call.ResponseStream.Current.Value);
        releaseSecond.SetResult();
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal("2", call.ResponseStream.Current.Value);
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_streamed_messages_reach_the_upstream_one_by_one_before_the_stream_ends()
    {
        await using var h = await ForwardingHarness.StartAsync();
        var firstReceived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Grpc.ClientStream = async (requests, context) =>
        {
            var received = new List<string>();
            while (await requests.MoveNext(context.CancellationToken))
            {
                received.Add(requests.Current.Value.ToStringUtf8());
                firstReceived.TrySetResult(received[0]);
            }
            return new StringValue { Value = string.Join(",", received) };
        };

        using var call = h.Channel.ClientStreaming(TestMethods.ClientStream);
        await call.RequestStream.WriteAsync(new BytesValue { Value = ByteString.CopyFromUtf8("a") });
        Assert.Equal("a", await firstReceived.Task.WaitAsync(Patience)); // the request is still open
        await call.RequestStream.WriteAsync(new BytesValue { Value = ByteString.CopyFromUtf8("b") });
        await call.RequestStream.WriteAsync(new BytesValue { Value = ByteString.CopyFromUtf8("c") });
        await call.RequestStream.CompleteAsync();

        Assert.Equal("a,b,c", (await call.ResponseAsync.WaitAsync(Patience)).Value);
    }

    [Fact]
    public async Task Duplex_call_interleaves_requests_and_responses()
    {
        await using var h = await ForwardingHarness.StartAsync();

        using var call = h.Channel.DuplexStreaming(TestMethods.Duplex);
        foreach (var word in new[] { "one", "two", "three" })
        {
            await call.RequestStream.WriteAsync(new StringValue { Value = word });
            // The answer to each message comes back before the next one is written.
            Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
            Assert.Equal("echo:" + word, call.ResponseStream.Current.Value);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Error_status_after_a_message_keeps_its_unicode_message_and_custom_trailers()
    {
        await using var h = await ForwardingHarness.StartAsync();
        const string detail = "STAFFING_INVALID_ARGUMENT: 打卡时间无效 – 100% ✓";
        var blob = new byte[] { 0, 1, 2, 250, 255 };
        h.Grpc.ServerStream = async (request, stream, context) =>
        {
            await stream.WriteAsync(new StringValue { Value = "first" });
            var trailers = new Metadata { { "x-reason", "late-punch" }, { "x-detail-bin", blob } };
            throw new RpcException(new Status(StatusCode.FailedPrecondition, detail), trailers);
        };

        using var call = h.Channel.ServerStreaming(TestMethods.ServerStream, new StringValue());
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal("first", call.ResponseStream.Current.Value);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(Patience));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal(detail, error.Status.Detail);
        Assert.Equal("late-punch", error.Trailers.GetValue("x-reason"));
        Assert.Equal(blob, error.Trailers.GetBytes("x-detail-bin"));
        Assert.Equal(ForwardingOutcome.Success, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task Trailers_only_upstream_error_reaches_the_client_as_one_headers_frame()
    {
        await using var h = await ForwardingHarness.StartAsync();
        h.Grpc.Unary = (_, _) => throw new RpcException(new Status(StatusCode.NotFound, "人员不存在"),
            new Metadata { { "x-reason", "no-person" } });

        var error = await Assert.ThrowsAsync<RpcException>(() => h.Channel.UnaryAsync(TestMethods.Unary, new StringValue()));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("人员不存在", error.Status.Detail);
        Assert.Equal("no-person", error.Trailers.GetValue("x-reason"));

        var frames = await RawHttp2.PostAsync(h.FrontGrpc, "/forwardtest.v1.Echo/Unary",
            [("content-type", "application/grpc"), ("te", "trailers")], ForwardingHarness.GrpcFrame(new StringValue()));
        var only = Assert.Single(frames);
        Assert.Equal(RawHttp2.Headers, only.Type);
        Assert.True(only.HasEndStream, "trailers-only must be a single HEADERS frame with END_STREAM: " + string.Join(", ", frames));
    }

    [Fact]
    public async Task Ok_response_keeps_its_shape_headers_data_and_trailers()
    {
        // The counterpart of the trailers-only test: the raw frame reader does tell the two shapes apart.
        await using var h = await ForwardingHarness.StartAsync();
        var frames = await RawHttp2.PostAsync(h.FrontGrpc, "/forwardtest.v1.Echo/Unary",
            [("content-type", "application/grpc"), ("te", "trailers")], ForwardingHarness.GrpcFrame(new StringValue { Value = "x" }));

        Assert.True(frames.Count >= 3, string.Join(", ", frames));
        Assert.Equal(RawHttp2.Headers, frames[0].Type);
        Assert.False(frames[0].HasEndStream);
        Assert.Contains(frames, f => f.Type == RawHttp2.Data && f.Length > 0);
        Assert.Equal(RawHttp2.Headers, frames[^1].Type);
        Assert.True(frames[^1].HasEndStream);
    }

    [Fact]
    public async Task Trailers_reach_the_client_as_http2_trailing_headers()
    {
        await using var h = await ForwardingHarness.StartAsync();
        h.Grpc.Unary = (request, context) =>
        {
            context.ResponseTrailers.Add("x-cost", "42");
            return Task.FromResult(new StringValue { Value = "ok" });
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/forwardtest.v1.Echo/Unary")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(ForwardingHarness.GrpcFrame(new StringValue())),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");

        using var response = await h.H2.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("0", Assert.Single(response.TrailingHeaders.GetValues("grpc-status")));
        Assert.Equal("42", Assert.Single(response.TrailingHeaders.GetValues("x-cost")));
        Assert.False(response.Headers.Contains("grpc-status"));
    }

    [Fact]
    public async Task Client_identity_headers_and_authorization_are_dropped_and_the_gateways_arrive()
    {
        await using var h = await ForwardingHarness.StartAsync();
        var metadata = new Metadata
        {
            { "x-tenant-id", "evil-tenant" }, { "x-principal-id", "evil" }, { "x-roles", "superuser" },
            { "x-person-id", "someone-else" }, { "x-gateway-route", "evil" }, { "authorization", "Bearer secret-token" },
            { "x-custom", "kept" },
        };

        await h.Channel.UnaryAsync(TestMethods.Unary, new StringValue(), new CallOptions(Headers: metadata));

        var seen = h.SingleUpstreamRequest();
        Assert.Equal([ForwardingHarness.GatewayTenant], seen.Values("x-tenant-id"));
        Assert.Equal([ForwardingHarness.GatewayPrincipal], seen.Values("x-principal-id"));
        Assert.Equal([ForwardingHarness.GatewayRoles], seen.Values("x-roles"));
        Assert.Equal([ForwardingHarness.GatewayPerson], seen.Values("x-person-id"));
        Assert.Empty(seen.Values("x-gateway-route"));
        Assert.Empty(seen.Values("authorization"));
        Assert.Equal("kept", seen.Single("x-custom"));
    }

    [Fact]
    public async Task Upstream_down_is_unavailable_with_the_gateway_code()
    {
        await using var h = await ForwardingHarness.StartAsync(s =>
            s.GrpcDestination = new Uri($"http://127.0.0.1:{ForwardingHarness.ClosedPort()}"));

        var error = await Assert.ThrowsAsync<RpcException>(() => h.Channel.UnaryAsync(TestMethods.Unary, new StringValue()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.StartsWith(GatewayErrors.UpstreamUnavailable + ":", error.Status.Detail);
        Assert.Equal(ForwardingOutcome.UpstreamUnavailable, await h.NextOutcomeAsync());
        var log = Assert.Single(h.Logs.ForwarderEntries);
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Equal(ForwardingOutcome.UpstreamUnavailable, log["Outcome"]);
        Assert.StartsWith("http://127.0.0.1:", (string)log["Upstream"]!);
        Assert.IsType<long>(log["ElapsedMs"]);
    }

    [Fact]
    public async Task Gateway_enforces_grpc_timeout_when_the_upstream_does_not()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = await ForwardingHarness.StartAsync(s => s.MapOnGrpcUpstream = app =>
            app.MapPost("/forwardtest.v1.Raw/Hang", async context =>
            {
                // An upstream that ignores its deadline: no headers, no status, until the gateway gives up.
                try { await Task.Delay(Timeout.Infinite, context.RequestAborted); }
                catch (OperationCanceledException) { upstreamAborted.TrySetResult(); }
            }));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/forwardtest.v1.Raw/Hang")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(ForwardingHarness.GrpcFrame(new StringValue())),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("grpc-timeout", "200m");
        var clock = Stopwatch.StartNew();
        using var response = await h.H2.SendAsync(request);
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("4", Assert.Single(response.Headers.GetValues("grpc-status")));
        Assert.StartsWith(GatewayErrors.UpstreamTimeout + ":", Assert.Single(response.Headers.GetValues("grpc-message")));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.1), TimeSpan.FromSeconds(4)); // 200 ms + 1 s grace
        Assert.Equal("200m", h.SingleUpstreamRequest().Single("grpc-timeout"));
        await upstreamAborted.Task.WaitAsync(Patience);
        Assert.Equal(ForwardingOutcome.UpstreamTimeout, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task Deadline_passing_mid_stream_ends_the_call_with_deadline_exceeded_trailers()
    {
        await using var h = await ForwardingHarness.StartAsync(s => s.MapOnGrpcUpstream = app =>
            app.MapPost("/forwardtest.v1.Raw/StallAfterOne", async context =>
            {
                context.Response.ContentType = "application/grpc";
                await context.Response.Body.WriteAsync(ForwardingHarness.GrpcFrame(new StringValue { Value = "one" }));
                await context.Response.Body.FlushAsync();
                try { await Task.Delay(Timeout.Infinite, context.RequestAborted); } catch (OperationCanceledException) { }
            }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/forwardtest.v1.Raw/StallAfterOne")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(ForwardingHarness.GrpcFrame(new StringValue())),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("grpc-timeout", "100m");

        using var response = await h.H2.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync().WaitAsync(Patience);

        Assert.Equal(ForwardingHarness.GrpcFrame(new StringValue { Value = "one" }), body);
        Assert.Equal("4", Assert.Single(response.TrailingHeaders.GetValues("grpc-status")));
        Assert.StartsWith(GatewayErrors.UpstreamTimeout + ":", Assert.Single(response.TrailingHeaders.GetValues("grpc-message")));
        Assert.Equal(ForwardingOutcome.UpstreamTimeout, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task Upstream_breaking_mid_stream_ends_the_call_unavailable()
    {
        await using var h = await ForwardingHarness.StartAsync(s => s.MapOnGrpcUpstream = app =>
            app.MapPost("/forwardtest.v1.Raw/BreakAfterOne", async context =>
            {
                context.Response.ContentType = "application/grpc";
                await context.Response.Body.WriteAsync(ForwardingHarness.GrpcFrame(new StringValue { Value = "one" }));
                await context.Response.Body.FlushAsync();
                await Task.Delay(100);
                context.Abort(); // RST_STREAM: no trailers, no status
            }));
        var method = new Method<StringValue, StringValue>(MethodType.ServerStreaming, "forwardtest.v1.Raw", "BreakAfterOne",
            StringValue.Parser, StringValue.Parser);

        using var call = h.Channel.ServerStreaming(method, new StringValue());
        Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
        Assert.Equal("one", call.ResponseStream.Current.Value);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().WaitAsync(Patience));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.StartsWith(GatewayErrors.UpstreamUnavailable + ":", error.Status.Detail);
        Assert.Equal(ForwardingOutcome.ResponseBroken, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task Client_cancellation_reaches_the_upstream_and_is_not_an_error()
    {
        await using var h = await ForwardingHarness.StartAsync();
        var upstreamCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Grpc.ServerStream = async (request, stream, context) =>
        {
            await stream.WriteAsync(new StringValue { Value = "1" });
            try { await Task.Delay(Timeout.Infinite, context.CancellationToken); }
            catch (OperationCanceledException) { upstreamCancelled.TrySetResult(); throw; }
        };

        using var cancel = new CancellationTokenSource();
        using (var call = h.Channel.ServerStreaming(TestMethods.ServerStream, new StringValue(), new CallOptions(CancellationToken: cancel.Token)))
        {
            Assert.True(await call.ResponseStream.MoveNext().WaitAsync(Patience));
            cancel.Cancel();
            await upstreamCancelled.Task.WaitAsync(Patience);
        }

        Assert.Equal(ForwardingOutcome.ClientCancelled, await h.NextOutcomeAsync());
        var log = Assert.Single(h.Logs.ForwarderEntries);
        Assert.Equal(LogLevel.Debug, log.Level);
        Assert.Equal(ForwardingOutcome.ClientCancelled, log["Outcome"]);
    }

    [Fact]
    public async Task Client_stream_larger_than_the_limit_is_resource_exhausted_and_the_upstream_sees_an_abort()
    {
        await using var h = await ForwardingHarness.StartAsync(s => s.Forwarding["MaxRequestBodyBytes"] = (256 * 1024).ToString());
        var upstreamAborted = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamCompleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Grpc.ClientStream = async (requests, context) =>
        {
            long received = 0;
            try
            {
                while (await requests.MoveNext(context.CancellationToken)) received += requests.Current.Value.Length;
            }
            catch (Exception)
            {
                upstreamAborted.TrySetResult(received);
                throw;
            }
            upstreamCompleted.TrySetResult();
            return new StringValue { Value = received.ToString() };
        };

        using var call = h.Channel.ClientStreaming(TestMethods.ClientStream);
        var chunk = new BytesValue { Value = ByteString.CopyFrom(new byte[64 * 1024]) };
        try
        {
            for (var i = 0; i < 10; i++) await call.RequestStream.WriteAsync(chunk).WaitAsync(Patience);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException) { } // the gateway ended the call while we were still writing

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Patience));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.StartsWith(GatewayErrors.PayloadTooLarge + ":", error.Status.Detail);
        var received = await upstreamAborted.Task.WaitAsync(Patience);
        Assert.True(received <= 256 * 1024, $"upstream received {received} bytes");
        Assert.False(upstreamCompleted.Task.IsCompleted);
        Assert.Equal(ForwardingOutcome.RequestTooLarge, await h.NextOutcomeAsync());
    }
}

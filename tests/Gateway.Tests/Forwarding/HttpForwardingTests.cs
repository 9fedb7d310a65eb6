using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.Gateway.Forwarding;
using Microsoft.AspNetCore.Http;

namespace HrmsAttendance.Gateway.Tests.Forwarding;

public sealed class HttpForwardingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task Request_and_response_pass_with_path_query_status_headers_and_body()
    {
        await using var h = await ForwardingHarness.StartAsync();
        h.HttpUpstream = async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.Headers["x-upstream"] = "yes";
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("got:" + body);
        };

        using var response = await h.Http.PostAsync("/api/punches/a%20b?date=2026-03-02&x=%E6%89%93", new StringContent("payload"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("got:payload", await response.Content.ReadAsStringAsync());
        Assert.Equal("yes", Assert.Single(response.Headers.GetValues("x-upstream")));
        var seen = h.SingleUpstreamRequest();
        Assert.Equal("HTTP/1.1", seen.Protocol);
        Assert.Equal("/api/punches/a%20b?date=2026-03-02&x=%E6%89%93", seen.PathAndQuery);
        Assert.Equal("text/plain; charset=utf-8", seen.Single("content-type"));
        Assert.Equal("7", seen.Single("content-length"));
        Assert.Equal("127.0.0.1", seen.Single("x-forwarded-for"));
        Assert.Equal("http", seen.Single("x-forwarded-proto"));
        Assert.Equal(h.FrontHttp.Authority, seen.Single("x-forwarded-host"));
        Assert.Equal(h.HttpUpstreamAddress.Authority, seen.Single("host"));
        Assert.Equal(ForwardingOutcome.Success, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task Hop_by_hop_headers_are_dropped_both_ways()
    {
        await using var h = await ForwardingHarness.StartAsync();
        h.HttpUpstream = context =>
        {
            context.Response.Headers["x-resp-secret"] = "1";
            context.Response.Headers.Connection = "x-resp-secret";
            context.Response.Headers["Proxy-Authenticate"] = "Basic";
            context.Response.Headers["x-resp-public"] = "1";
            return context.Response.WriteAsync("ok");
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/daily-results");
        request.Headers.Connection.Add("x-secret");
        request.Headers.TryAddWithoutValidation("x-secret", "1");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic abc");
        request.Headers.TryAddWithoutValidation("Proxy-Connection", "keep-alive");
        request.Headers.TryAddWithoutValidation("TE", "gzip");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6");
        request.Headers.TryAddWithoutValidation("x-public", "1");

        using var response = await h.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = h.SingleUpstreamRequest();
        foreach (var dropped in new[] { "x-secret", "keep-alive", "proxy-authorization", "proxy-connection", "te" })
            Assert.True(seen.Values(dropped).Length == 0, dropped + " reached the upstream");
        Assert.DoesNotContain("x-secret", string.Join(",", seen.Values("connection")));
        Assert.Equal("1", seen.Single("x-public"));
        Assert.Equal("127.0.0.1", seen.Single("x-forwarded-for")); // the client's claim is replaced
        Assert.False(response.Headers.Contains("x-resp-secret"));
        Assert.False(response.Headers.Contains("Proxy-Authenticate"));
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("x-resp-public")));
    }

    [Fact]
    public async Task Client_identity_headers_and_authorization_never_reach_the_upstream()
    {
        await using var h = await ForwardingHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/persons");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer secret-token");
        request.Headers.TryAddWithoutValidation("X-Tenant-Id", "evil-tenant");
        request.Headers.TryAddWithoutValidation("X-PRINCIPAL-ID", "evil");
        request.Headers.TryAddWithoutValidation("x-roles", "superuser");
        request.Headers.TryAddWithoutValidation("x-person-id", "someone-else");
        request.Headers.TryAddWithoutValidation("X-Gateway-Trusted", "true");

        using var response = await h.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = h.SingleUpstreamRequest();
        Assert.Empty(seen.Values("authorization"));
        Assert.Empty(seen.Values("x-gateway-trusted"));
        Assert.Equal([ForwardingHarness.GatewayTenant], seen.Values("x-tenant-id"));
        Assert.Equal([ForwardingHarness.GatewayPrincipal], seen.Values("x-principal-id"));
        Assert.Equal([ForwardingHarness.GatewayRoles], seen.Values("x-roles"));
        Assert.Equal([ForwardingHarness.GatewayPerson], seen.Values("x-person-id"));
    }

    [Fact]
    public async Task Trace_context_continues_the_clients_trace_under_the_gateways_span()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var h = await ForwardingHarness.StartAsync();
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string clientSpan = "00f067aa0ba902b7";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/daily-results");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{clientSpan}-01");
        request.Headers.TryAddWithoutValidation("tracestate", "client=1");
        request.Headers.TryAddWithoutValidation("Request-Id", "|client.1.");

        using var response = await h.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var traceparent = h.SingleUpstreamRequest().Single("traceparent")!.Split('-');
        Assert.Equal(traceId, traceparent[1]);
        Assert.NotEqual(clientSpan, traceparent[2]);
        Assert.Empty(h.SingleUpstreamRequest().Values("request-id"));
    }

    [Fact]
    public async Task Upstream_down_is_502_problem_details_with_the_gateway_code()
    {
        await using var h = await ForwardingHarness.StartAsync(s =>
            s.HttpDestination = new Uri($"http://127.0.0.1:{ForwardingHarness.ClosedPort()}"));

        using var response = await h.Http.GetAsync("/api/daily-results");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(GatewayErrors.UpstreamUnavailable, problem.GetProperty("code").GetString());
        Assert.Equal(ForwardingOutcome.UpstreamUnavailable, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task Upstream_slower_than_the_http_timeout_is_504_and_is_cancelled()
    {
        await using var h = await ForwardingHarness.StartAsync(s => s.Forwarding["HttpTimeout"] = "00:00:00.300");
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.HttpUpstream = async context =>
        {
            try { await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted); }
            catch (OperationCanceledException) { upstreamAborted.TrySetResult(); }
        };

        var clock = Stopwatch.StartNew();
        using var response = await h.Http.GetAsync("/api/daily-results");
        clock.Stop();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(GatewayErrors.UpstreamTimeout, problem.GetProperty("code").GetString());
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        await upstreamAborted.Task.WaitAsync(Patience);
        Assert.Equal(ForwardingOutcome.UpstreamTimeout, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task Client_going_away_before_the_response_cancels_the_upstream_call()
    {
        await using var h = await ForwardingHarness.StartAsync();
        var upstreamStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.HttpUpstream = async context =>
        {
            upstreamStarted.TrySetResult();
            try { await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted); }
            catch (OperationCanceledException) { upstreamAborted.TrySetResult(); }
        };

        using var cancel = new CancellationTokenSource();
        var call = h.Http.GetAsync("/api/daily-results", cancel.Token);
        await upstreamStarted.Task.WaitAsync(Patience);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        await upstreamAborted.Task.WaitAsync(Patience);
        Assert.Equal(ForwardingOutcome.ClientCancelled, await h.NextOutcomeAsync());
        Assert.DoesNotContain(h.Logs.ForwarderEntries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task A_50_MB_request_body_streams_through_without_being_buffered()
    {
        await using var h = await ForwardingHarness.StartAsync();
        const int megabytes = 50;
        var received = Enumerable.Range(0, megabytes)
            .Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        h.HttpUpstream = async context =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
                for (var i = 0; i < megabytes && (i + 1L) * MiB <= total; i++) received[i].TrySetResult();
            }
            await context.Response.WriteAsync($"{total}:{Convert.ToHexString(hash.GetHashAndReset())}");
        };

        var pipe = new Pipe();
        using var content = new FlushingPipeContent(pipe.Reader);
        var send = h.Http.PostAsync("/api/imports", content);
        using var clientHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var random = new Random(7);
        var chunk = new byte[MiB];
        for (var i = 0; i < megabytes; i++)
        {
            random.NextBytes(chunk);
            clientHash.AppendData(chunk);
            await pipe.Writer.WriteAsync(chunk);
            // The next megabyte is written only once the upstream has this one: a forwarder that buffers the
            // whole body before sending would never let this complete.
            await received[i].Task.WaitAsync(Patience);
        }
        await pipe.Writer.CompleteAsync();

        using var response = await send.WaitAsync(Patience);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{megabytes * (long)MiB}:{Convert.ToHexString(clientHash.GetHashAndReset())}",
            await response.Content.ReadAsStringAsync());
        Assert.Equal(ForwardingOutcome.Success, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task A_50_MB_response_streams_through_without_being_buffered()
    {
        await using var h = await ForwardingHarness.StartAsync();
        const int megabytes = 50;
        var clientHas = Enumerable.Range(0, megabytes)
            .Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var chunk = new byte[MiB];
        new Random(11).NextBytes(chunk);
        h.HttpUpstream = async context =>
        {
            context.Response.ContentType = "application/octet-stream";
            for (var i = 0; i < megabytes; i++)
            {
                if (i > 0) await clientHas[i - 1].Task.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
                await context.Response.Body.WriteAsync(chunk);
                await context.Response.Body.FlushAsync();
            }
        };

        using var response = await h.Http.GetAsync("/api/imports/export", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long total = 0;
        var corrupt = false;
        while (true)
        {
            // The upstream writes the next megabyte only once the client has this one: a buffering forwarder deadlocks.
            var read = await body.ReadAsync(buffer).AsTask().WaitAsync(Patience);
            if (read == 0) break;
            for (var j = 0; j < read; j++) corrupt |= buffer[j] != chunk[(total + j) % MiB];
            total += read;
            for (var i = 0; i < megabytes && (i + 1L) * MiB <= total; i++) clientHas[i].TrySetResult();
        }

        Assert.Equal(megabytes * (long)MiB, total);
        Assert.False(corrupt);
        Assert.Equal(ForwardingOutcome.Success, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task A_declared_body_over_the_limit_is_413_and_never_reaches_the_upstream()
    {
        await using var h = await ForwardingHarness.StartAsync(s => s.Forwarding["MaxRequestBodyBytes"] = "1000");

        using var response = await h.Http.PostAsync("/api/imports", new ByteArrayContent(new byte[5000]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(GatewayErrors.PayloadTooLarge, problem.GetProperty("code").GetString());
        Assert.Empty(h.UpstreamRequests);
        Assert.Equal(ForwardingOutcome.RequestTooLarge, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task A_streamed_body_over_the_limit_is_413_and_the_upstream_sees_an_aborted_request()
    {
        await using var h = await ForwardingHarness.StartAsync(s => s.Forwarding["MaxRequestBodyBytes"] = (64 * 1024).ToString());
        var upstreamHasFirstPart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamOutcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.HttpUpstream = async context =>
        {
            long total = 0;
            try
            {
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    total += read;
                    if (total >= 32 * 1024) upstreamHasFirstPart.TrySetResult();
                }
                upstreamOutcome.TrySetResult("complete:" + total);
            }
            catch (Exception ex) when (ex is IOException or BadHttpRequestException or OperationCanceledException)
            {
                upstreamOutcome.TrySetResult("aborted:" + total);
            }
        };

        // Chunked (no Content-Length): the limit is found only while streaming, after the upstream got the first part.
        var pipe = new Pipe();
        using var content = new FlushingPipeContent(pipe.Reader);
        var send = h.Http.PostAsync("/api/imports", content);
        await pipe.Writer.WriteAsync(new byte[32 * 1024]);
        await upstreamHasFirstPart.Task.WaitAsync(Patience);
        await pipe.Writer.WriteAsync(new byte[100 * 1024]);
        var seen = await upstreamOutcome.Task.WaitAsync(Patience);
        await pipe.Writer.CompleteAsync();
        using var response = await send.WaitAsync(Patience);

        Assert.StartsWith("aborted:", seen);
        Assert.True(long.Parse(seen["aborted:".Length..]) <= 64 * 1024, seen);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(GatewayErrors.PayloadTooLarge, problem.GetProperty("code").GetString());
        Assert.Equal(ForwardingOutcome.RequestTooLarge, await h.NextOutcomeAsync());
    }

    [Fact]
    public async Task Upstream_breaking_mid_body_aborts_the_clients_response()
    {
        await using var h = await ForwardingHarness.StartAsync();
        h.HttpUpstream = async context =>
        {
            context.Response.ContentLength = 10_000;
            await context.Response.Body.WriteAsync(new byte[1000]);
            await context.Response.Body.FlushAsync();
            await Task.Delay(100);
            context.Abort();
        };

        using var response = await h.Http.GetAsync("/api/daily-results", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync().WaitAsync(Patience));
        Assert.Equal(ForwardingOutcome.ResponseBroken, await h.NextOutcomeAsync());
    }

    [Theory]
    [InlineData("x-tenant-id", true)]
    [InlineData("X-Tenant-Id", true)]
    [InlineData("x-principal-id", true)]
    [InlineData("X-ROLES", true)]
    [InlineData("x-person-id", true)]
    [InlineData("x-gateway-anything", true)]
    [InlineData("X-Gateway-Route", true)]
    [InlineData("x-tenant", false)]
    [InlineData("x-gatewayish", false)]
    [InlineData("authorization", false)]
    [InlineData("x-person-id-extra", false)]
    public void Reserved_identity_headers(string name, bool reserved) =>
        Assert.Equal(reserved, IdentityHeaders.IsReserved(name));

    /// <summary>
    /// The client's body, read from a pipe and flushed after every write (StreamContent leaves the last small piece
    /// in HttpClient's write buffer until more comes, which would stall a lock-step test on the client side).
    /// </summary>
    private sealed class FlushingPipeContent(PipeReader reader) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer) await stream.WriteAsync(segment, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) break;
            }
            await reader.CompleteAsync();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}

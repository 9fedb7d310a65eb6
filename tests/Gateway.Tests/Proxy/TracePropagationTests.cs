using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using HrmsAttendance.Gateway.Tests.Harness;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.Proxy;

/// <summary>
/// The service's span is the child of the gateway's server span: the gateway replaces the caller's trace headers with
/// its own request's, and its forwarding client starts no span of its own (one gateway span per call in the dashboard).
/// </summary>
public sealed class TracePropagationTests
{
    [Fact]
    public async Task The_forwarded_call_carries_the_gateways_server_span_and_no_client_span_is_made()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        var seen = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { if (activity.TraceId == traceId) seen.Add(activity); },
        };
        ActivitySource.AddActivityListener(listener);
        await using var h = GatewayHarness.Start(await Backends.StartContractStubsAsync());
        using var http = h.Gateway.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/daily-results?from_date=2026-03-01&person_uuid=x");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", h.Token(AccessRoles.Approver));
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId.ToHexString()}-{callerSpan.ToHexString()}-01");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(h.Backend.LastRequest.Values("traceparent"));
        // The server span stops once the gateway has finished the response, which can be after the client has read it.
        Activity? gatewaySpan = null;
        for (var waited = Stopwatch.StartNew(); gatewaySpan is null && waited.Elapsed < TimeSpan.FromSeconds(10); await Task.Delay(20))
            gatewaySpan = seen.SingleOrDefault(activity => activity.Source.Name == "Microsoft.AspNetCore" && activity.ParentSpanId == callerSpan);
        Assert.NotNull(gatewaySpan);
        Assert.Equal($"00-{traceId.ToHexString()}-{gatewaySpan.SpanId.ToHexString()}-01", forwarded);
        Assert.DoesNotContain(seen, activity => activity.Source.Name == "System.Net.Http");
    }
}

using System.Diagnostics;
using Yarp.ReverseProxy.Forwarder;

namespace HrmsAttendance.Gateway.Proxy;

/// <summary>
/// YARP's HTTP client without a client span of its own: the service's span is the child of the gateway's server span.
/// By default every forwarded call is two gateway spans (ASP.NET Core's server span and System.Net.Http's client span
/// around the same wait), and the dashboard ingests both; the client span tells nothing the server span does not.
/// With <see cref="SocketsHttpHandler.ActivityHeadersPropagator"/> null the handler starts no activity and writes no
/// trace headers, so <see cref="ServerSpanPropagation"/> writes them: the caller's are removed, the current
/// (server) activity's are written. HttpClient's metrics are unaffected.
/// </summary>
public sealed class GatewayForwarderHttpClientFactory : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ActivityHeadersPropagator = null;
    }

    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new ServerSpanPropagation(base.WrapHandler(context, handler));
}

/// <summary>Replaces the trace headers the caller sent with those of the current activity (the gateway's server span).</summary>
public sealed class ServerSpanPropagation(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private static readonly ReverseProxyPropagator Propagator = new(DistributedContextPropagator.Current);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Propagator.Inject(Activity.Current, request, static (carrier, name, value) =>
            ((HttpRequestMessage)carrier!).Headers.TryAddWithoutValidation(name, value));
        return base.SendAsync(request, cancellationToken);
    }
}

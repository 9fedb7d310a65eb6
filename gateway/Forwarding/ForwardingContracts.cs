namespace HrmsAttendance.Gateway.Forwarding;

/// <summary>How the gateway talks to the owning service.</summary>
public enum UpstreamProtocol
{
    /// <summary>HTTP/2 only (h2c, prior knowledge) to the service's "grpc" endpoint; trailers are relayed.</summary>
    Grpc,
    /// <summary>HTTP/1.1 to the service's "http" endpoint.</summary>
    Http,
}

/// <summary>How one forwarded request ended (for metrics and logs; the response is already written).</summary>
public enum ForwardingOutcome
{
    /// <summary>The upstream's response (status, headers, body, trailers) reached the client.</summary>
    Success,
    /// <summary>The client went away (or reset its stream); the upstream call was cancelled; nothing was written.</summary>
    ClientCancelled,
    /// <summary>No connection to the upstream (refused, DNS, handshake), or it failed before its response headers: 502 / UNAVAILABLE.</summary>
    UpstreamUnavailable,
    /// <summary>HttpTimeout (HTTP) or the call's grpc-timeout plus grace (gRPC) passed: 504 / DEADLINE_EXCEEDED.</summary>
    UpstreamTimeout,
    /// <summary>The request body exceeded MaxRequestBodyBytes: 413 / RESOURCE_EXHAUSTED.</summary>
    RequestTooLarge,
    /// <summary>The upstream failed after the response had started: gRPC gets UNAVAILABLE trailers, HTTP an aborted connection.</summary>
    ResponseBroken,
}

/// <summary>The seam between the gateway's pipeline (auth, routing, rate limits) and the proxying itself.</summary>
public interface IHttpForwarder
{
    /// <summary>
    /// Forwards <c>context.Request</c> to <paramref name="destinationBase"/> + request path + query string, streaming the
    /// body both ways, and writes the upstream's response (status, headers, body, trailers) to <c>context.Response</c>.
    /// <paramref name="identityHeaders"/> are added to the upstream request after every
    /// <see cref="IdentityHeaders.IsReserved"/> header the client sent has been dropped.
    /// Failures before the response started are written with <c>GatewayErrorResponse</c>; never throws for
    /// upstream or client failures.
    /// </summary>
    Task<ForwardingOutcome> ForwardAsync(HttpContext context, Uri destinationBase, UpstreamProtocol protocol,
        IReadOnlyList<KeyValuePair<string, string>> identityHeaders);
}

using System.Net.Http.Headers;
using Microsoft.Extensions.Primitives;

namespace HrmsAttendance.Gateway.Forwarding;

/// <summary>Which headers cross the gateway, in each direction (see README.md, "Header rules").</summary>
internal static class ForwardedHeaders
{
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";

    /// <summary>Hop-by-hop (RFC 9110 §7.6.1) and connection-level headers: never forwarded in either direction.</summary>
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    /// <summary>Request headers the gateway replaces or must not pass on.</summary>
    private static readonly HashSet<string> DroppedRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization",                                  // services never see tokens
        "Expect",                                         // Kestrel already answered 100-continue
        ForwardedFor, ForwardedProto, ForwardedHost,      // set by the gateway, never trusted from the client
    };

    /// <summary>Re-injected by the handler's activity propagation with the gateway's span as parent.</summary>
    private static readonly HashSet<string> TraceHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "traceparent", "tracestate", "Request-Id",
    };

    /// <summary>Response headers that describe the upstream's connection, not the resource.</summary>
    private static readonly HashSet<string> DroppedResponseHeaders = new(StringComparer.OrdinalIgnoreCase) { "Alt-Svc" };

    /// <summary>Headers that belong on <see cref="HttpContent.Headers"/> rather than on the request.</summary>
    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
        "Content-Location", "Content-MD5", "Content-Range", "Content-Type", "Expires", "Last-Modified",
    };

    /// <summary>
    /// Copies the client's request headers onto <paramref name="request"/> (content headers onto its content),
    /// then adds the identity headers and X-Forwarded-*.
    /// </summary>
    public static void CopyRequestHeaders(HttpContext context, HttpRequestMessage request,
        IReadOnlyList<KeyValuePair<string, string>> identityHeaders, bool dropTraceHeaders)
    {
        var headers = context.Request.Headers;
        var connectionNamed = NamedByConnection(headers.Connection);
        foreach (var (name, values) in headers)
        {
            if (name.StartsWith(':')) continue;                                  // HTTP/2 pseudo headers
            if (name.Equals("TE", StringComparison.OrdinalIgnoreCase))
            {
                if (ContainsTrailers(values)) request.Headers.TryAddWithoutValidation("te", "trailers");
                continue;
            }
            if (HopByHop.Contains(name) || DroppedRequestHeaders.Contains(name) || IdentityHeaders.IsReserved(name)) continue;
            if (connectionNamed?.Contains(name) == true) continue;
            if (dropTraceHeaders && TraceHeaders.Contains(name)) continue;

            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue; // the content carries it
            if (ContentHeaders.Contains(name))
            {
                if (request.Content is { } content) Add(content.Headers, name, values);
                continue;
            }
            Add(request.Headers, name, values);
        }

        // Only names for which IdentityHeaders.IsReserved holds are guaranteed to carry the gateway's value alone.
        foreach (var (name, value) in identityHeaders)
            request.Headers.TryAddWithoutValidation(name, value);

        if (context.Connection.RemoteIpAddress is { } remote)
            request.Headers.TryAddWithoutValidation(ForwardedFor,
                (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString());
        request.Headers.TryAddWithoutValidation(ForwardedProto, context.Request.Scheme);
        if (context.Request.Host.HasValue)
            request.Headers.TryAddWithoutValidation(ForwardedHost, context.Request.Host.ToUriComponent());
    }

    /// <summary>Copies the upstream's response headers (and content headers) onto the client's response.</summary>
    public static void CopyResponseHeaders(HttpResponseMessage upstream, HttpResponse response)
    {
        var connectionNamed = upstream.Headers.NonValidated.TryGetValues("Connection", out var connection)
            ? NamedByConnection(new StringValues(connection.ToArray()))
            : null;
        CopyResponse(upstream.Headers.NonValidated, response.Headers, connectionNamed);
        CopyResponse(upstream.Content.Headers.NonValidated, response.Headers, connectionNamed);
    }

    /// <summary>Whether a response/trailer header may be passed to the client.</summary>
    public static bool IsForwardableResponseHeader(string name) =>
        !name.StartsWith(':') && !HopByHop.Contains(name) && !DroppedResponseHeaders.Contains(name);

    private static void CopyResponse(HttpHeadersNonValidated source, IHeaderDictionary target, HashSet<string>? connectionNamed)
    {
        foreach (var (name, values) in source)
        {
            if (!IsForwardableResponseHeader(name) || connectionNamed?.Contains(name) == true) continue;
            target[name] = ToStringValues(values);
        }
    }

    public static StringValues ToStringValues(HeaderStringValues values) =>
        values.Count == 1 ? new StringValues(values.ToString()) : new StringValues(values.ToArray());

    private static void Add(HttpHeaders target, string name, StringValues values)
    {
        if (values.Count == 1) target.TryAddWithoutValidation(name, values[0]);
        else target.TryAddWithoutValidation(name, (IEnumerable<string?>)values.ToArray());
    }

    /// <summary>The header names listed in a Connection header (its tokens other than close/keep-alive matter).</summary>
    private static HashSet<string>? NamedByConnection(StringValues connection)
    {
        if (StringValues.IsNullOrEmpty(connection)) return null;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in connection)
        {
            if (value is null) continue;
            foreach (var token in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                names.Add(token);
        }
        return names;
    }

    private static bool ContainsTrailers(StringValues values)
    {
        foreach (var value in values)
        {
            if (value is null) continue;
            foreach (var token in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var semicolon = token.IndexOf(';');
                var name = semicolon < 0 ? token : token[..semicolon].TrimEnd();
                if (name.Equals("trailers", StringComparison.OrdinalIgnoreCase)) return true;
            }
        }
        return false;
    }
}

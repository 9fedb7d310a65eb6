using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace HrmsAttendance.AppHost.Tests.Distributed.Hostile;

/// <summary>
/// One request as it goes on the wire: any bytes as body, any header values (sent as Latin-1, one byte per char, so a
/// value can carry bytes that are not UTF-8), HTTP/2 (h2c) or HTTP/1.1. <see cref="Authorization"/> null sends a fresh
/// tenant-admin token of the world's tenant.
/// </summary>
internal sealed record HostileRequest(Uri Address, string PathAndQuery, Version HttpVersion, string Method = "GET")
{
    public byte[]? Body { get; init; }
    public string? ContentType { get; init; }
    public string? Authorization { get; init; }
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    public HostileRequest WithHeader(string name, string value) => this with { Headers = [.. Headers, (name, value)] };
}

/// <summary>What came back: the HTTP status, the gRPC status (headers or trailers) and message, or the problem details' code.</summary>
internal sealed record HostileAnswer(int HttpStatus, int? GrpcStatus, string? GrpcMessage, string? ProblemCode, string? ProblemDetail,
    byte[] Body, string? TransportFailure)
{
    public override string ToString() => TransportFailure is { } failure
        ? $"transport failure: {failure}"
        : $"HTTP {HttpStatus}" + (GrpcStatus is { } s ? $", grpc-status {s} '{GrpcMessage}'" : "") +
          (ProblemCode is { } c ? $", problem {c} '{ProblemDetail}'" : "");

    /// <summary>The messages of a gRPC response body (uncompressed frames), for calls that answer with a message.</summary>
    public IEnumerable<byte[]> Messages()
    {
        for (var at = 0; at + 5 <= Body.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(Body.AsSpan(at + 1));
            yield return Body[(at + 5)..(at + 5 + length)];
            at += 5 + length;
        }
    }
}

/// <summary>Sends <see cref="HostileRequest"/>s to the gateway with HttpClient, retrying only what the rate limiter turned away.</summary>
internal sealed class HostileClient(Func<string> freshToken) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        ActivityHeadersPropagator = null,
        // Header values are sent byte for byte as given (chars 0-255), so a test can send bytes that are not UTF-8.
        RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1,
        EnableMultipleHttp2Connections = true,
    })
    { Timeout = TimeSpan.FromSeconds(60) };

    public async Task<HostileAnswer> SendAsync(HostileRequest request)
    {
        for (var attempt = 0; ; attempt++)
        {
            var answer = await SendOnceAsync(request);
            var rateLimited = answer.GrpcMessage?.StartsWith("GATEWAY_RATE_LIMITED", StringComparison.Ordinal) == true
                              || answer.ProblemCode == "GATEWAY_RATE_LIMITED";
            if (!rateLimited || attempt == 5) return answer;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task<HostileAnswer> SendOnceAsync(HostileRequest hostile)
    {
        using var request = new HttpRequestMessage(new HttpMethod(hostile.Method), new Uri(hostile.Address, hostile.PathAndQuery))
        {
            Version = hostile.HttpVersion,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (hostile.Body is { } body)
        {
            request.Content = new ByteArrayContent(body);
            if (hostile.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        if (hostile.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
            request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("Authorization", hostile.Authorization ?? "Bearer " + freshToken());
        foreach (var (name, value) in hostile.Headers)
            request.Headers.TryAddWithoutValidation(name, value);

        try
        {
            using var response = await _http.SendAsync(request);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            string? Header(string name) =>
                response.TrailingHeaders.TryGetValues(name, out var t) ? t.First()
                : response.Headers.TryGetValues(name, out var h) ? h.First() : null;
            var grpcStatus = Header("grpc-status") is { } s && int.TryParse(s, out var parsed) ? parsed : (int?)null;
            var grpcMessage = Header("grpc-message") is { } m ? Uri.UnescapeDataString(m) : null;
            var (code, detail) = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? Problem(bytes) : (null, null);
            return new HostileAnswer((int)response.StatusCode, grpcStatus, grpcMessage, code, detail, bytes, null);
        }
        catch (HttpRequestException e)
        {
            return new HostileAnswer(0, null, null, null, null, [], e.GetBaseException().Message);
        }
    }

    private static (string? Code, string? Detail) Problem(byte[] body)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            return (root.TryGetProperty("code", out var code) ? code.GetString() : null,
                root.TryGetProperty("detail", out var detail) ? detail.GetString() : null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public void Dispose() => _http.Dispose();
}

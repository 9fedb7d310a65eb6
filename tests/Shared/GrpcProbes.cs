using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;

namespace HrmsAttendance.Tests.Shared;

/// <summary>What every service answers besides its own contract: health, reflection, and raw gRPC over h2c.</summary>
public static class GrpcProbes
{
    /// <summary><c>grpc.health.v1.Health/Check</c> for <paramref name="service"/> ("" = the server as a whole).</summary>
    public static async Task<HealthCheckResponse.Types.ServingStatus> CheckHealthAsync(GrpcChannel channel, string service = "")
    {
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = service },
            deadline: DateTime.UtcNow.AddSeconds(10));
        return reply.Status;
    }

    /// <summary>The services the server lists through <c>grpc.reflection.v1alpha.ServerReflection</c>.</summary>
    public static async Task<IReadOnlyList<string>> ListServicesAsync(GrpcChannel channel)
    {
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(10));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        var names = new List<string>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
            names.AddRange(response.ListServicesResponse.Service.Select(s => s.Name));
        return names;
    }

    /// <summary>
    /// Posts one hand-built gRPC message frame (flag byte, big-endian length, <paramref name="payload"/>) over h2c
    /// and reads the whole answer: for what a generated client cannot send (e.g. bytes that are not protobuf).
    /// </summary>
    public static Task<RawGrpcResponse> PostFrameAsync(Uri endpoint, string path, byte[] payload,
        IReadOnlyDictionary<string, string>? headers = null, bool compressed = false) =>
        PostBodyAsync(endpoint, path, RawProtobuf.Frame(payload, compressed ? (byte)1 : (byte)0), headers);

    /// <summary>Posts a hand-built gRPC request body (any bytes: several frames, a broken one, none) over h2c and reads the whole answer.</summary>
    public static async Task<RawGrpcResponse> PostBodyAsync(Uri endpoint, string path, byte[] body,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact, // h2c with prior knowledge
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);

        using var response = await http.SendAsync(request);
        var answer = await response.Content.ReadAsByteArrayAsync();
        // A call that fails before any message sends its status in the headers ("trailers-only").
        string? Header(string name) =>
            response.TrailingHeaders.TryGetValues(name, out var t) ? t.First()
            : response.Headers.TryGetValues(name, out var h) ? h.First() : null;
        return new RawGrpcResponse(
            (StatusCode)int.Parse(Header("grpc-status") ?? "-1"),
            Header("grpc-message") is { } message ? Uri.UnescapeDataString(message) : null,
            response.Headers.TryGetValues("grpc-encoding", out var encoding) ? encoding.First() : null,
            answer);
    }
}

/// <param name="Body">The response's message frames, undecoded.</param>
public sealed record RawGrpcResponse(StatusCode Status, string? Message, string? Encoding, byte[] Body);

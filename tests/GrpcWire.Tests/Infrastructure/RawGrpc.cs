using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace HrmsAttendance.GrpcWire.Tests.Infrastructure;

/// <summary>
/// Hand-made HTTP/2 requests for protocol edge cases the typed client cannot produce
/// (garbage frames, wrong content types, unsupported encodings), with the raw response.
/// </summary>
public static class RawGrpc
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };

    public static byte[] Frame(byte[] payload, byte compressedFlag = 0)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressedFlag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static byte[] Frame(IMessage message) => Frame(message.ToByteArray());

    public static async Task<RawResponse> PostAsync(Uri address, string path, byte[] body,
        string contentType = "application/grpc", IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);

        using var response = await Http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return new RawResponse(response.StatusCode, Flatten(response.Headers, response.Content.Headers), Flatten(response.TrailingHeaders), bytes);
    }

    private static Dictionary<string, string> Flatten(params HttpHeaders[] all)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var headers in all)
            foreach (var (name, values) in headers.NonValidated)
                result[name] = values.ToString();
        return result;
    }
}

public sealed record RawResponse(HttpStatusCode HttpStatus, Dictionary<string, string> Headers, Dictionary<string, string> Trailers, byte[] Body)
{
    /// <summary>grpc-status from the trailers, or from the headers of a trailers-only response.</summary>
    public StatusCode? GrpcStatus =>
        (Trailers.TryGetValue("grpc-status", out var s) || Headers.TryGetValue("grpc-status", out s)) ? (StatusCode)int.Parse(s) : null;

    public string? GrpcMessage =>
        Trailers.TryGetValue("grpc-message", out var m) || Headers.TryGetValue("grpc-message", out m) ? m : null;

    public bool IsTrailersOnly => Headers.ContainsKey("grpc-status");
}

using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace HrmsAttendance.AppHost.Dashboard.Otlp;

/// <summary>
/// Reads an OTLP/HTTP request body into memory: checks the media type, honours
/// content-encoding gzip, and enforces the size bound both before and after decompression (a
/// small gzip body may inflate to gigabytes).
/// </summary>
internal static class OtlpRequestBody
{
    public static async Task<BodyReadResult> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        if (mediaType is null || !IsProtobuf(mediaType))
        {
            return BodyReadResult.Fail(StatusCodes.Status415UnsupportedMediaType,
                mediaType == "application/json"
                    ? "OTLP/JSON is not supported: set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf."
                    : "Expected content-type application/x-protobuf.");
        }
        if (request.ContentLength > maxBytes) return TooLarge(maxBytes);

        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        if (encoding is not ("" or "identity" or "gzip"))
            return BodyReadResult.Fail(StatusCodes.Status415UnsupportedMediaType, $"Unsupported content-encoding '{encoding}' (gzip or none).");

        var raw = await ReadCappedAsync(request.Body, maxBytes, cancellationToken);
        if (raw is null) return TooLarge(maxBytes);
        if (encoding != "gzip") return BodyReadResult.Ok(raw);

        try
        {
            await using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            var inflated = await ReadCappedAsync(gzip, maxBytes, cancellationToken);
            return inflated is null ? TooLarge(maxBytes) : BodyReadResult.Ok(inflated);
        }
        catch (InvalidDataException)
        {
            return BodyReadResult.Fail(StatusCodes.Status400BadRequest, "The body is not valid gzip.");
        }
    }

    private static bool IsProtobuf(string mediaType) =>
        mediaType.Equals("application/x-protobuf", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("application/protobuf", StringComparison.OrdinalIgnoreCase);

    private static BodyReadResult TooLarge(long maxBytes) =>
        BodyReadResult.Fail(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {maxBytes} bytes.");

    /// <returns>The whole stream, or null as soon as it is longer than <paramref name="maxBytes"/>.</returns>
    private static async Task<byte[]?> ReadCappedAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81_920);
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes) return null;
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}

/// <summary>Either the decoded body bytes or the HTTP status and message to answer with.</summary>
internal readonly record struct BodyReadResult(byte[]? Payload, int StatusCode, string? Error)
{
    public static BodyReadResult Ok(byte[] payload) => new(payload, StatusCodes.Status200OK, null);
    public static BodyReadResult Fail(int statusCode, string error) => new(null, statusCode, error);
}

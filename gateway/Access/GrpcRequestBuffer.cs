using System.Buffers;
using System.Buffers.Binary;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.StableErrors;

namespace HrmsAttendance.Gateway.Access;

/// <summary>
/// Reads the one request message of a unary (or server-streaming) gRPC call so the gateway can inspect it, and puts
/// the very same bytes back as the request body (a <see cref="MemoryStream"/> at position 0) for YARP to forward.
/// Bounded: a message whose frame declares more than the limit is refused before it is buffered, and a gzip message
/// (grpc-encoding: gzip, compressed flag 1) is inflated for inspection up to the same limit. This is inspection of
/// gRPC's length-prefixed framing (1 byte flag, 4 bytes big-endian length), not a gRPC runtime.
/// </summary>
internal static class GrpcRequestBuffer
{
    private const int HeaderSize = 5;
    private const string EncodingHeader = "grpc-encoding";

    /// <returns>The message payload (without the 5-byte frame header), or the refusal.</returns>
    public static async Task<(ReadOnlySequence<byte> Payload, GatewayError? Error)> ReadSingleMessageAsync(
        HttpRequest request, int maxMessageBytes, CancellationToken cancellation)
    {
        if (request.ContentLength is { } declared && declared > HeaderSize + (long)maxMessageBytes)
            return TooLarge(declared - HeaderSize, maxMessageBytes);

        var header = new byte[HeaderSize];
        var read = await ReadFullyAsync(request.Body, header, cancellation);
        if (read < header.Length)
            return Bad(read == 0 ? "the gRPC request has no message" : "the gRPC request's message frame is truncated");

        if (header[0] > 1)
            return Bad($"the gRPC message frame has an invalid compressed flag {header[0]}");
        var compressed = header[0] == 1;
        var encoding = request.Headers[EncodingHeader].ToString();
        if (compressed && encoding != "gzip")
            return Bad($"the gRPC message is compressed with '{encoding}'; the gateway inspects this call's request and reads gzip or uncompressed messages only");
        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > (uint)maxMessageBytes)
            return TooLarge(length, maxMessageBytes);

        var frame = new byte[HeaderSize + (int)length];
        header.CopyTo(frame, 0);
        read = await ReadFullyAsync(request.Body, frame.AsMemory(HeaderSize), cancellation);
        if (read < length)
            return Bad($"the gRPC message frame declares {length} bytes but the request ends after {read}");
        var extra = new byte[1];
        if (await ReadFullyAsync(request.Body, extra, cancellation) > 0)
            return Bad("a unary gRPC request carries exactly one message; this one has more bytes after it");

        // YARP forwards exactly what the client sent; only the inspected copy is inflated.
        request.Body = new MemoryStream(frame, writable: false);
        var payload = new ReadOnlySequence<byte>(frame, HeaderSize, (int)length);
        if (!compressed)
            return (payload, null);
        try
        {
            return GzipMessages.Inflate(frame, HeaderSize, frame.Length - HeaderSize, maxMessageBytes) is { } inflated
                ? (new ReadOnlySequence<byte>(inflated), null)
                : TooLarge($"more than {maxMessageBytes}", maxMessageBytes, "once decompressed ");
        }
        catch (InvalidDataException e)
        {
            return Bad($"the gRPC message is not valid gzip: {e.Message}");
        }
    }

    private static async Task<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellation)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellation);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    private static (ReadOnlySequence<byte>, GatewayError?) Bad(string detail) =>
        (ReadOnlySequence<byte>.Empty, new GatewayError(GatewayErrors.BadRequest, detail));

    private static (ReadOnlySequence<byte>, GatewayError?) TooLarge(object size, int limit, string when = "") =>
        (ReadOnlySequence<byte>.Empty, new GatewayError(GatewayErrors.PayloadTooLarge,
            $"the gRPC request message has {when}{size} bytes; the gateway inspects at most {limit} bytes for this call"));
}

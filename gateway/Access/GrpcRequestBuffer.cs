using System.Buffers;
using HrmsAttendance.Gateway.Errors;
using HrmsAttendance.GrpcWire.Wire;

namespace HrmsAttendance.Gateway.Access;

/// <summary>
/// Reads the one request message of a unary (or server-streaming) gRPC call so the gateway can inspect it, and puts
/// the very same bytes back as the request body (a <see cref="MemoryStream"/> at position 0) for the forwarder.
/// Bounded: a message whose frame declares more than the limit is refused before it is buffered.
/// </summary>
internal static class GrpcRequestBuffer
{
    /// <returns>The message payload (without the 5-byte frame header), or the refusal.</returns>
    public static async Task<(ReadOnlySequence<byte> Payload, GatewayError? Error)> ReadSingleMessageAsync(
        HttpRequest request, int maxMessageBytes, CancellationToken cancellation)
    {
        if (request.ContentLength is { } declared && declared > MessageFrame.HeaderSize + (long)maxMessageBytes)
            return TooLarge(declared - MessageFrame.HeaderSize, maxMessageBytes);

        var header = new byte[MessageFrame.HeaderSize];
        var read = await ReadFullyAsync(request.Body, header, cancellation);
        if (read < header.Length)
            return Bad(read == 0 ? "the gRPC request has no message" : "the gRPC request's message frame is truncated");

        switch (header[0])
        {
            case 0: break;
            case 1:
                return Bad("the gateway inspects this call's request, so it must be sent uncompressed: use grpc-encoding identity (compressed flag 0)");
            default:
                return Bad($"the gRPC message frame has an invalid compressed flag {header[0]}");
        }
        MessageFrame.ParseHeader(header, out var length);
        if (length > (uint)maxMessageBytes)
            return TooLarge(length, maxMessageBytes);

        var frame = new byte[MessageFrame.HeaderSize + (int)length];
        header.CopyTo(frame, 0);
        read = await ReadFullyAsync(request.Body, frame.AsMemory(MessageFrame.HeaderSize), cancellation);
        if (read < length)
            return Bad($"the gRPC message frame declares {length} bytes but the request ends after {read}");
        var extra = new byte[1];
        if (await ReadFullyAsync(request.Body, extra, cancellation) > 0)
            return Bad("a unary gRPC request carries exactly one message; this one has more bytes after it");

        // The forwarder reads exactly what the client sent.
        request.Body = new MemoryStream(frame, writable: false);
        return (new ReadOnlySequence<byte>(frame, MessageFrame.HeaderSize, (int)length), null);
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

    private static (ReadOnlySequence<byte>, GatewayError?) TooLarge(long size, int limit) =>
        (ReadOnlySequence<byte>.Empty, new GatewayError(GatewayErrors.PayloadTooLarge,
            $"the gRPC request message has {size} bytes; the gateway inspects at most {limit} bytes for this call"));
}

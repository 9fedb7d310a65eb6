using System.Buffers;
using System.IO.Compression;

namespace HrmsAttendance.GrpcWire.Wire;

/// <summary>The one message compression we support besides identity.</summary>
public static class GzipCompression
{
    public static byte[] Compress(byte[] payload)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(payload);
        return output.ToArray();
    }

    /// <summary>Inflates, refusing to grow past <paramref name="maxSize"/> (a zip bomb is RESOURCE_EXHAUSTED).</summary>
    public static byte[] Decompress(in ReadOnlySequence<byte> payload, int maxSize)
    {
        try
        {
            using var input = new MemoryStream(payload.ToArray());
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                if (output.Length + read > maxSize)
                    throw new RpcException(StatusCode.ResourceExhausted,
                        $"Received message larger than max (decompressed > {maxSize})");
                output.Write(chunk, 0, read);
            }
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(StatusCode.Internal, "Failed to decompress message: " + ex.Message);
        }
    }
}

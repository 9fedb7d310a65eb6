using System.IO.Compression;

namespace HrmsAttendance.StableErrors;

/// <summary>gRPC messages sent with <c>grpc-encoding: gzip</c>, inflated for inspection within a size limit (a small message may inflate to gigabytes).</summary>
public static class GzipMessages
{
    /// <summary>The inflated bytes, or null when they would exceed <paramref name="maxBytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not gzip.</exception>
    public static byte[]? Inflate(byte[] buffer, int offset, int count, int maxBytes)
    {
        using var gzip = new GZipStream(new MemoryStream(buffer, offset, count, writable: false), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = gzip.Read(chunk)) > 0)
        {
            if (output.Length + read > maxBytes) return null;
            output.Write(chunk, 0, read);
        }
        return output.ToArray();
    }
}

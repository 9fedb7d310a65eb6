using Google.Protobuf;
using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Tests.Tokens;
using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace HrmsAttendance.Gateway.Tests.Access;

/// <summary>Principals and requests (real gRPC frames in a <see cref="DefaultHttpContext"/>) for the access tests.</summary>
public static class AccessTestKit
{
    public static readonly Guid Own = TestTokens.Person;
    public static readonly Guid Other = Guid.Parse("5a3c1f0e-9d2b-4c7a-8e61-0f4b2d9c7a13");

    public static CallerPrincipal Principal(Guid? person, params string[] roles) =>
        new(TestTokens.Tenant, "subject-1", new HashSet<string>(roles, StringComparer.Ordinal), person);

    /// <summary>gRPC's length-prefixed message: compressed flag, 4-byte big-endian length, then the message.</summary>
    public const int HeaderSize = 5;

    /// <summary>One gRPC message frame, as a client sends it; <paramref name="compress"/> gzips it (flag 1).</summary>
    public static byte[] Frame(IMessage message, bool compress = false)
    {
        var payload = message.ToByteArray();
        if (compress)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(payload);
            payload = buffer.ToArray();
        }
        var frame = new byte[HeaderSize + payload.Length];
        frame[0] = compress ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, HeaderSize);
        return frame;
    }

    public static DefaultHttpContext GrpcContext(string path, byte[] body, bool contentLength = true)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Protocol = "HTTP/2";
        context.Request.Path = path;
        context.Request.ContentType = "application/grpc";
        context.Request.Body = new MemoryStream(body);
        if (contentLength) context.Request.ContentLength = body.Length;
        return context;
    }

    public static DefaultHttpContext Http(string method, string path, string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        return context;
    }

    public static async Task<byte[]> BodyBytes(HttpRequest request)
    {
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy);
        return copy.ToArray();
    }
}

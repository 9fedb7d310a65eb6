using Google.Protobuf;
using HrmsAttendance.Gateway.Access;
using HrmsAttendance.Gateway.Tests.Tokens;
using HrmsAttendance.GrpcWire.Wire;
using Microsoft.AspNetCore.Http;

namespace HrmsAttendance.Gateway.Tests.Access;

/// <summary>Principals and requests (real gRPC frames in a <see cref="DefaultHttpContext"/>) for the access tests.</summary>
public static class AccessTestKit
{
    public static readonly Guid Own = TestTokens.Person;
    public static readonly Guid Other = Guid.Parse("5a3c1f0e-9d2b-4c7a-8e61-0f4b2d9c7a13");

    public static CallerPrincipal Principal(Guid? person, params string[] roles) =>
        new(TestTokens.Tenant, "subject-1", new HashSet<string>(roles, StringComparer.Ordinal), person);

    public static byte[] Frame(IMessage message) => MessageFrame.Build(message, compress: false, maxSendSize: null);

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

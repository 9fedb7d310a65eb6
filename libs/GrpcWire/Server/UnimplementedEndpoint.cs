using HrmsAttendance.GrpcWire.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HrmsAttendance.GrpcWire.Server;

/// <summary>
/// Answers UNIMPLEMENTED for a gRPC request (POST, application/grpc*) to "/{service}/{method}" that no
/// mapped method matches. Mapped with the lowest routing priority so it never shadows app routes.
/// </summary>
internal static class UnimplementedEndpoint
{
    public const string Pattern = "/{grpcService}/{grpcMethod}";

    public static Task HandleAsync(HttpContext httpContext, GrpcServiceRegistry registry)
    {
        var service = httpContext.Request.RouteValues["grpcService"] as string ?? "";
        var detail = registry.IsKnownService(service) ? "Method is unimplemented." : "Service is unimplemented.";
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
        HttpServerCallContext.WriteStatus(new Status(StatusCode.Unimplemented, detail), new Metadata(),
            (name, value) => response.Headers.Append(name, value));
        return Task.CompletedTask;
    }
}

/// <summary>Matches only requests whose content type is gRPC, so other POSTs fall through to a 404.</summary>
internal sealed class GrpcContentTypeConstraint : IRouteConstraint
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        routeDirection == RouteDirection.IncomingRequest
        && httpContext is not null
        && HttpMethods.IsPost(httpContext.Request.Method)
        && GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType);
}

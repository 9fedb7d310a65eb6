using System.Diagnostics;
using HrmsAttendance.StableErrors;

namespace HrmsAttendance.Gateway.Errors;

/// <summary>Every refusal of the gateway goes through here: one log line, a span tag, and the response in the caller's protocol.</summary>
public static partial class GatewayRefusal
{
    public static Task WriteAsync(HttpContext context, GatewayError error, TimeSpan? retryAfter = null)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("HrmsAttendance.Gateway.Refusals");
        Log.Refused(logger, context.Request.Method, context.Request.Path, error.Code, error.Detail);
        Activity.Current?.SetTag("gateway.refusal", error.Code);
        return StableErrorResponse.WriteAsync(context, error.Code, error.Detail, error.GrpcStatus, error.HttpStatus, retryAfter);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Refused {Method} {Path}: {Code} {Detail}")]
        public static partial void Refused(ILogger logger, string method, string path, string code, string detail);
    }
}

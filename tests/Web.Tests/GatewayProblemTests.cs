using Grpc.Core;
using HrmsAttendance.Web.Authentication;
using HrmsAttendance.Web.Gateway;

namespace HrmsAttendance.Web.Tests;

public sealed class GatewayProblemTests
{
    [Theory]
    [InlineData("STAFFING_PERSON_UNKNOWN: person 0b6f… is not a person of this tenant", "STAFFING_PERSON_UNKNOWN", "person 0b6f… is not a person of this tenant")]
    [InlineData("GATEWAY_FORBIDDEN", "GATEWAY_FORBIDDEN", "")]
    [InlineData("Error starting gRPC call: connection refused", "GRPC_UNAVAILABLE", "Error starting gRPC call: connection refused")]
    public void The_stable_code_is_read_from_the_start_of_the_status_message(string message, string code, string detail)
    {
        var statusCode = code == "GRPC_UNAVAILABLE" ? StatusCode.Internal : StatusCode.FailedPrecondition;
        if (code == "GRPC_UNAVAILABLE") code = "GRPC_INTERNAL";
        var problem = GatewayProblem.From(new RpcException(new Status(statusCode, message)));
        Assert.Equal(code, problem.Code);
        Assert.Equal(detail, problem.Detail);
    }

    [Fact]
    public void An_unreachable_gateway_has_the_web_apps_own_code()
    {
        var problem = GatewayProblem.From(new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel.")));
        Assert.Equal(GatewayProblem.UnavailableCode, problem.Code);
    }

    [Theory]
    [InlineData("/my-month?month=2026-03", "/my-month?month=2026-03")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData(null, "/")]
    public void Sign_in_and_language_switch_return_only_to_paths_of_this_app(string? returnUrl, string expected) =>
        Assert.Equal(expected, AccountEndpoints.LocalPath(returnUrl));
}

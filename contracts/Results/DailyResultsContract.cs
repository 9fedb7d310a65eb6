using HrmsAttendance.GrpcWire;

namespace HrmsAttendance.Contracts.Results.V1;

/// <summary>The methods of <c>attendance.results.v1.DailyResults</c>, declared once for server and client.</summary>
public static class DailyResultsMethods
{
    public const string ServiceName = "attendance.results.v1.DailyResults";

    public static readonly Method<ListDailyResultsRequest, ListDailyResultsResponse> ListDailyResults =
        new(MethodType.Unary, ServiceName, "ListDailyResults", ListDailyResultsRequest.Parser, ListDailyResultsResponse.Parser);

    public static readonly Method<GetDailyResultRequest, DailyResult> GetDailyResult =
        new(MethodType.Unary, ServiceName, "GetDailyResult", GetDailyResultRequest.Parser, DailyResult.Parser);

    public static readonly Method<GetMonthlySummaryRequest, MonthlySummary> GetMonthlySummary =
        new(MethodType.Unary, ServiceName, "GetMonthlySummary", GetMonthlySummaryRequest.Parser, MonthlySummary.Parser);
}

/// <summary>Server side: derive, override the methods you serve, map with <c>MapGrpcService&lt;T&gt;()</c>.</summary>
public abstract class DailyResultsServiceBase : IGrpcService
{
    public virtual Task<ListDailyResultsResponse> ListDailyResults(ListDailyResultsRequest request, ServerCallContext context) =>
        throw Unimplemented(DailyResultsMethods.ListDailyResults.Name);

    public virtual Task<DailyResult> GetDailyResult(GetDailyResultRequest request, ServerCallContext context) =>
        throw Unimplemented(DailyResultsMethods.GetDailyResult.Name);

    public virtual Task<MonthlySummary> GetMonthlySummary(GetMonthlySummaryRequest request, ServerCallContext context) =>
        throw Unimplemented(DailyResultsMethods.GetMonthlySummary.Name);

    public void Bind(GrpcServiceBinder binder) => binder
        .AddUnary(DailyResultsMethods.ListDailyResults, ListDailyResults)
        .AddUnary(DailyResultsMethods.GetDailyResult, GetDailyResult)
        .AddUnary(DailyResultsMethods.GetMonthlySummary, GetMonthlySummary);

    private static RpcException Unimplemented(string method) =>
        new(StatusCode.Unimplemented, $"{DailyResultsMethods.ServiceName}/{method} is not implemented");
}

/// <summary>Typed client for <c>attendance.results.v1.DailyResults</c>.</summary>
public sealed class DailyResultsClient(GrpcChannel channel)
{
    public Task<ListDailyResultsResponse> ListDailyResultsAsync(ListDailyResultsRequest request, CallOptions options = default) =>
        channel.UnaryAsync(DailyResultsMethods.ListDailyResults, request, options);

    public Task<DailyResult> GetDailyResultAsync(GetDailyResultRequest request, CallOptions options = default) =>
        channel.UnaryAsync(DailyResultsMethods.GetDailyResult, request, options);

    public Task<MonthlySummary> GetMonthlySummaryAsync(GetMonthlySummaryRequest request, CallOptions options = default) =>
        channel.UnaryAsync(DailyResultsMethods.GetMonthlySummary, request, options);
}

using HrmsAttendance.GrpcWire;

namespace HrmsAttendance.Contracts.Ledger.V1;

/// <summary>The methods of <c>attendance.ledger.v1.PunchLedger</c>, declared once for server and client.</summary>
public static class PunchLedgerMethods
{
    public const string ServiceName = "attendance.ledger.v1.PunchLedger";

    public static readonly Method<SubmitPunchRequest, SubmitPunchResponse> SubmitPunch =
        new(MethodType.Unary, ServiceName, "SubmitPunch", SubmitPunchRequest.Parser, SubmitPunchResponse.Parser);

    public static readonly Method<SubmitPunchesRequest, SubmitPunchesResponse> SubmitPunches =
        new(MethodType.Unary, ServiceName, "SubmitPunches", SubmitPunchesRequest.Parser, SubmitPunchesResponse.Parser);

    public static readonly Method<PunchInput, SubmitPunchesResponse> StreamPunches =
        new(MethodType.ClientStreaming, ServiceName, "StreamPunches", PunchInput.Parser, SubmitPunchesResponse.Parser);

    public static readonly Method<ListPunchesRequest, Punch> ListPunches =
        new(MethodType.ServerStreaming, ServiceName, "ListPunches", ListPunchesRequest.Parser, Punch.Parser);
}

/// <summary>Server side: derive, override the methods you serve, map with <c>MapGrpcService&lt;T&gt;()</c>.</summary>
public abstract class PunchLedgerServiceBase : IGrpcService
{
    public virtual Task<SubmitPunchResponse> SubmitPunch(SubmitPunchRequest request, ServerCallContext context) =>
        throw Unimplemented(PunchLedgerMethods.SubmitPunch.Name);

    public virtual Task<SubmitPunchesResponse> SubmitPunches(SubmitPunchesRequest request, ServerCallContext context) =>
        throw Unimplemented(PunchLedgerMethods.SubmitPunches.Name);

    public virtual Task<SubmitPunchesResponse> StreamPunches(IAsyncStreamReader<PunchInput> requestStream, ServerCallContext context) =>
        throw Unimplemented(PunchLedgerMethods.StreamPunches.Name);

    public virtual Task ListPunches(ListPunchesRequest request, IServerStreamWriter<Punch> responseStream, ServerCallContext context) =>
        throw Unimplemented(PunchLedgerMethods.ListPunches.Name);

    public void Bind(GrpcServiceBinder binder) => binder
        .AddUnary(PunchLedgerMethods.SubmitPunch, SubmitPunch)
        .AddUnary(PunchLedgerMethods.SubmitPunches, SubmitPunches)
        .AddClientStreaming(PunchLedgerMethods.StreamPunches, StreamPunches)
        .AddServerStreaming(PunchLedgerMethods.ListPunches, ListPunches);

    private static RpcException Unimplemented(string method) =>
        new(StatusCode.Unimplemented, $"{PunchLedgerMethods.ServiceName}/{method} is not implemented");
}

/// <summary>Typed client for <c>attendance.ledger.v1.PunchLedger</c>.</summary>
public sealed class PunchLedgerClient(GrpcChannel channel)
{
    public Task<SubmitPunchResponse> SubmitPunchAsync(SubmitPunchRequest request, CallOptions options = default) =>
        channel.UnaryAsync(PunchLedgerMethods.SubmitPunch, request, options);

    public Task<SubmitPunchesResponse> SubmitPunchesAsync(SubmitPunchesRequest request, CallOptions options = default) =>
        channel.UnaryAsync(PunchLedgerMethods.SubmitPunches, request, options);

    public AsyncClientStreamingCall<PunchInput, SubmitPunchesResponse> StreamPunches(CallOptions options = default) =>
        channel.ClientStreaming(PunchLedgerMethods.StreamPunches, options);

    public AsyncServerStreamingCall<Punch> ListPunches(ListPunchesRequest request, CallOptions options = default) =>
        channel.ServerStreaming(PunchLedgerMethods.ListPunches, request, options);
}

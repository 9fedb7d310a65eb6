using Grpc.Core;
using HrmsAttendance.Gateway.Tests.Shapes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ContractLedger = HrmsAttendance.Contracts.Ledger.V1.PunchLedger;
using ContractResults = HrmsAttendance.Contracts.Results.V1.DailyResults;
using ContractIdentity = HrmsAttendance.Contracts.Identity.V1.IdentityMapping;
using ContractDingTalk = HrmsAttendance.Contracts.Integrations.DingTalk.V1.DingTalkIntegration;
using ContractWeCom = HrmsAttendance.Contracts.Integrations.WeCom.V1.WeComIntegration;

namespace HrmsAttendance.Gateway.Tests.Harness;

/// <summary>The test backends: Grpc.AspNetCore services and two JSON endpoints.</summary>
public static class Backends
{
    /// <summary>
    /// The contracts' own services, unimplemented (Grpc.Tools' bases answer UNIMPLEMENTED with an empty message): a call
    /// the gateway let through comes back UNIMPLEMENTED from the service, one it refused carries a GATEWAY_* code.
    /// </summary>
    public static Task<Backend> StartContractStubsAsync() => Backend.StartAsync(
        services => { },
        app =>
        {
            app.MapGrpcService<LedgerStub>();
            app.MapGrpcService<ResultsStub>();
            app.MapGrpcService<IdentityStub>();
            app.MapGrpcService<ImportsStub>();
            app.MapGrpcService<DingTalkStub>();
            app.MapGrpcService<WeComStub>();
            MapJson(app);
        });

    /// <summary>The <see cref="ShapesService"/> at the ledger's paths (handlers set per test), the JSON endpoints, and stubs for the rest.</summary>
    public static Task<Backend> StartShapesAsync(ShapesService shapes) => Backend.StartAsync(
        services => services.AddSingleton(shapes),
        app =>
        {
            app.MapGrpcService<ShapesService>();
            app.MapGrpcService<ResultsStub>();
            app.MapGrpcService<IdentityStub>();
            app.MapGrpcService<ImportsStub>();
            app.MapGrpcService<DingTalkStub>();
            app.MapGrpcService<WeComStub>();
            MapJson(app);
        });

    /// <summary>The JSON routes the gateway knows, answering with what they were asked (and a header to see responses pass).</summary>
    private static void MapJson(WebApplication app)
    {
        app.MapGet("/api/daily-results", async (HttpContext context) =>
        {
            if (int.TryParse(context.Request.Query["delay_ms"], out var delay)) await Task.Delay(delay, context.RequestAborted);
            context.Response.Headers["x-backend"] = "daily-results";
            return Results.Json(new { path = context.Request.Path.Value, query = context.Request.QueryString.Value });
        });
        app.MapGet("/api/daily-results/changes", (HttpContext context) =>
            TypedResults.ServerSentEvents(new[] { new System.Net.ServerSentEvents.SseItem<string>(context.Request.QueryString.Value ?? "", "echo") }.ToAsyncEnumerable()));
        app.MapGet("/api/identity/unmapped", () => Results.Json(new { items = Array.Empty<string>() }));
        foreach (var route in new[] { "template", "status", "preview", "report", "audit" })
            app.MapGet("/api/imports/" + route, () => Results.Json(new { route }));
        foreach (var route in new[] { "prepare", "commit" })
            app.MapPost("/api/imports/" + route, () => Results.Json(new { route }));
        app.MapGet("/api/integrations/dingtalk/status", () => Results.Json(new { configured = false }));
        app.MapPut("/api/integrations/dingtalk/settings", () => Results.Json(new { enabled = true }));
        app.MapGet("/api/integrations/wecom/status", () => Results.Json(new { configured = false }));
        app.MapPut("/api/integrations/wecom/settings", () => Results.Json(new { enabled = true }));
    }

    public sealed class LedgerStub : ContractLedger.PunchLedgerBase;
    public sealed class ResultsStub : ContractResults.DailyResultsBase;
    public sealed class IdentityStub : ContractIdentity.IdentityMappingBase;
    public sealed class ImportsStub : HrmsAttendance.Contracts.Imports.V1.Imports.ImportsBase;
    public sealed class DingTalkStub : ContractDingTalk.DingTalkIntegrationBase;
    public sealed class WeComStub : ContractWeCom.WeComIntegrationBase;
}

/// <summary>The shapes service; each test sets the handlers it needs (the defaults echo).</summary>
public sealed class ShapesService : PunchLedger.PunchLedgerBase
{
    public Func<Chunk, ServerCallContext, Task<Chunk>> Unary { get; set; } =
        (request, _) => Task.FromResult(new Chunk { Text = "echo:" + request.Text });

    public Func<Chunk, IServerStreamWriter<Chunk>, ServerCallContext, Task> ServerStream { get; set; } = (_, _, _) => Task.CompletedTask;

    public Func<IAsyncStreamReader<Chunk>, IServerStreamWriter<Chunk>, ServerCallContext, Task> Duplex { get; set; } =
        async (requests, responses, context) =>
        {
            await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
                await responses.WriteAsync(new Chunk { Text = "echo:" + request.Text });
        };

    public override Task<Chunk> SubmitPunch(Chunk request, ServerCallContext context) => Unary(request, context);

    public override Task ListPunches(Chunk request, IServerStreamWriter<Chunk> responseStream, ServerCallContext context) =>
        ServerStream(request, responseStream, context);

    public override Task StreamPunches(IAsyncStreamReader<Chunk> requestStream, IServerStreamWriter<Chunk> responseStream, ServerCallContext context) =>
        Duplex(requestStream, responseStream, context);
}

using Google.Protobuf;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Collector.Logs.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Collector.Metrics.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Collector.Trace.V1;
using HrmsAttendance.AppHost.Dashboard.Telemetry;
using HrmsAttendance.AppHost.Dashboard.Traces;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.AppHost.Dashboard.Otlp;

/// <summary>
/// The OTLP/HTTP receiver (binary protobuf only): POST /v1/traces, /v1/logs and /v1/metrics, as
/// the OpenTelemetry SDKs send them with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf.
/// Answers 200 with an Export*ServiceResponse (partial_success set when spans were rejected),
/// 400 for a body that is not the expected protobuf or gzip, 413 past the size bound, 415 for
/// another media type or encoding.
/// </summary>
internal static class OtlpHttpEndpoints
{
    public const string ProtobufContentType = "application/x-protobuf";

    public static void MapOtlpHttp(this IEndpointRouteBuilder endpoints, DashboardState state, long maxBodyBytes, ILogger logger)
    {
        endpoints.MapPost("/v1/traces", context => HandleAsync(context, maxBodyBytes, logger, state.Counters,
            ExportTraceServiceRequest.Parser, request => AcceptTraces(request, state.Traces, state.Counters)));
        endpoints.MapPost("/v1/logs", context => HandleAsync(context, maxBodyBytes, logger, state.Counters,
            ExportLogsServiceRequest.Parser, request => AcceptLogs(request, state.StructuredLogs, state.Counters)));
        endpoints.MapPost("/v1/metrics", context => HandleAsync(context, maxBodyBytes, logger, state.Counters,
            ExportMetricsServiceRequest.Parser, request => AcceptMetrics(request, state.Metrics, state.Counters)));
    }

    private static ExportTraceServiceResponse AcceptTraces(ExportTraceServiceRequest request, TraceStore store, OtlpReceiverCounters counters)
    {
        var spans = OtlpTraceDecoder.Decode(request, out var rejected);
        store.Add(spans);
        counters.AddSpans(spans.Count, rejected);
        var response = new ExportTraceServiceResponse();
        if (rejected > 0)
        {
            response.PartialSuccess = new ExportTracePartialSuccess
            {
                RejectedSpans = rejected,
                ErrorMessage = "Spans need a 16-byte trace_id and an 8-byte span_id.",
            };
        }
        return response;
    }

    private static ExportLogsServiceResponse AcceptLogs(ExportLogsServiceRequest request, StructuredLogStore store, OtlpReceiverCounters counters)
    {
        var records = OtlpLogDecoder.Decode(request);
        store.Add(records);
        counters.AddLogRecords(records.Count);
        return new ExportLogsServiceResponse();
    }

    private static ExportMetricsServiceResponse AcceptMetrics(ExportMetricsServiceRequest request, MetricsCounter metrics, OtlpReceiverCounters counters)
    {
        foreach (var (service, serviceMetrics) in OtlpMetricsDecoder.Decode(request))
            metrics.Record(service, serviceMetrics);
        counters.AddMetricExport();
        return new ExportMetricsServiceResponse();
    }

    private static async Task HandleAsync<TRequest>(
        HttpContext context, long maxBodyBytes, ILogger logger, OtlpReceiverCounters counters,
        MessageParser<TRequest> parser, Func<TRequest, IMessage> accept)
        where TRequest : IMessage<TRequest>
    {
        // Kestrel's own limit (30 MB by default) would cut in before ours if the option were larger;
        // one byte over ours, so the reader sees the overflow and answers 413 itself.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBodyBytes + 1;

        var body = await OtlpRequestBody.ReadAsync(context.Request, maxBodyBytes, context.RequestAborted);
        if (body.Payload is null)
        {
            await FailAsync(context, counters, body.StatusCode, body.Error!);
            return;
        }

        TRequest request;
        try
        {
            request = parser.ParseFrom(body.Payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            logger.LogDebug(ex, "Malformed OTLP body on {Path}", context.Request.Path);
            await FailAsync(context, counters, StatusCodes.Status400BadRequest, "The body is not a valid OTLP protobuf message.");
            return;
        }

        var response = accept(request);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ProtobufContentType;
        await context.Response.Body.WriteAsync(response.ToByteArray(), context.RequestAborted);
    }

    private static Task FailAsync(HttpContext context, OtlpReceiverCounters counters, int statusCode, string message)
    {
        counters.AddFailedRequest();
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message, context.RequestAborted);
    }
}

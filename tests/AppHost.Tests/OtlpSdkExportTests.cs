using System.Diagnostics;
using System.Diagnostics.Metrics;
using HrmsAttendance.AppHost.Dashboard.Traces;
using HrmsAttendance.AppHost.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HrmsAttendance.AppHost.Tests;

/// <summary>
/// The real OpenTelemetry .NET SDK (1.20, OTLP exporter, http/protobuf) exports to the receiver:
/// what the services will do once the AppHost points OTEL_EXPORTER_OTLP_ENDPOINT at the dashboard.
/// </summary>
public sealed class OtlpSdkExportTests
{
    // Unique per test run: ActivitySource listeners are process-wide and xunit runs classes in parallel.
    private readonly string _gatewaySource = $"test.gateway.{Guid.NewGuid():N}";
    private readonly string _ledgerSource = $"test.ledger.{Guid.NewGuid():N}";

    private static TracerProvider TracerFor(string service, string source, Uri dashboard) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service))
            .AddSource(source)
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                // Set in code, the endpoint is used as is (the SDK appends /v1/traces only to the env variable).
                o.Endpoint = new Uri(dashboard, "v1/traces");
            })
            .Build();

    [Fact]
    public async Task Spans_of_two_services_arrive_as_one_trace_with_parent_links_attributes_and_error()
    {
        await using var test = await TestDashboard.StartAsync();
        using var gatewayProvider = TracerFor("attendance-api", _gatewaySource, test.Dashboard.Url);
        using var ledgerProvider = TracerFor("punch-ledger", _ledgerSource, test.Dashboard.Url);
        using var gateway = new ActivitySource(_gatewaySource);
        using var ledger = new ActivitySource(_ledgerSource);

        string traceId, serverSpanId, dbSpanId;
        using (var serverActivity = gateway.StartActivity("POST /api/v1/punches", ActivityKind.Server)!)
        {
            serverActivity.SetTag("tenant.id", "acme");
            serverActivity.SetTag("http.response.status_code", 201);
            serverActivity.SetTag("retry", true);
            serverActivity.SetTag("sampling.ratio", 0.25);
            serverActivity.SetTag("roles", new[] { "employee", "manager" });
            traceId = serverActivity.TraceId.ToHexString();
            serverSpanId = serverActivity.SpanId.ToHexString();

            // The other "service" continues the trace from the propagated context, as across gRPC.
            using var db = ledger.StartActivity("INSERT punches", ActivityKind.Client, serverActivity.Context)!;
            db.SetTag("db.system.name", "postgresql");
            db.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection { ["exception.type"] = "PostgresException" }));
            db.SetStatus(ActivityStatusCode.Error, "23505: duplicate key value violates unique constraint");
            dbSpanId = db.SpanId.ToHexString();
        }

        // ForceFlush returns once the export got its HTTP answer, i.e. after the store took the spans.
        Assert.True(gatewayProvider.ForceFlush(10_000));
        Assert.True(ledgerProvider.ForceFlush(10_000));

        var summary = Assert.Single(test.Dashboard.Traces.ListTraces());
        Assert.Equal(traceId, summary.TraceId);
        Assert.Equal(["attendance-api", "punch-ledger"], summary.Services);
        Assert.Equal("POST /api/v1/punches", summary.RootSpanName);
        Assert.Equal(2, summary.SpanCount);
        Assert.True(summary.HasError);

        var spans = test.Dashboard.Traces.GetTrace(traceId)!.Spans.Select(s => s.Span).ToList();
        var server = spans.Single(s => s.SpanId == serverSpanId);
        var dbSpan = spans.Single(s => s.SpanId == dbSpanId);
        Assert.Null(server.ParentSpanId);
        Assert.Equal(serverSpanId, dbSpan.ParentSpanId);
        Assert.Equal("Server", server.Kind);
        Assert.Equal("Client", dbSpan.Kind);
        Assert.Equal("attendance-api", server.ServiceName);
        Assert.Equal("punch-ledger", dbSpan.ServiceName);
        Assert.Equal(_gatewaySource, server.ScopeName);
        Assert.Equal("acme", server.FindAttribute("tenant.id"));
        Assert.Equal("201", server.FindAttribute("http.response.status_code"));
        Assert.Equal("true", server.FindAttribute("retry"));
        Assert.Equal("0.25", server.FindAttribute("sampling.ratio"));
        Assert.Equal("[employee, manager]", server.FindAttribute("roles"));
        Assert.Contains(server.ResourceAttributes, a => a is { Key: "service.name", Value: "attendance-api" });
        Assert.Equal(SpanStatus.Error, dbSpan.Status);
        Assert.Equal("23505: duplicate key value violates unique constraint", dbSpan.StatusMessage);
        var exception = Assert.Single(dbSpan.Events);
        Assert.Equal("exception", exception.Name);
        Assert.Equal("PostgresException", Assert.Single(exception.Attributes).Value);
        Assert.True(dbSpan.Start >= server.Start && dbSpan.Duration <= server.Duration);
        Assert.Equal(0, test.Dashboard.OtlpCounters.FailedRequests);
    }

    [Fact]
    public async Task The_environment_convention_the_AppHost_hands_to_services_reaches_the_store()
    {
        await using var test = await TestDashboard.StartAsync();
        // What ServiceDefaults reads: the variables the AppHost sets for every service (given as
        // configuration here, since environment variables are process-wide and tests run in parallel).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = test.Dashboard.OtlpEndpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "punch-ledger",
        }).Build();
        using var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(services => services.AddSingleton<IConfiguration>(configuration))
            .AddSource(_ledgerSource)
            .AddOtlpExporter() // endpoint and protocol from configuration: the SDK appends /v1/traces
            .Build();
        using var source = new ActivitySource(_ledgerSource);

        string traceId;
        using (var activity = source.StartActivity("RecordPunch", ActivityKind.Server)!) traceId = activity.TraceId.ToHexString();
        Assert.True(provider.ForceFlush(10_000));

        var trace = Assert.Single(test.Dashboard.Traces.ListTraces(new TraceQuery(Service: "punch-ledger")));
        Assert.Equal(traceId, trace.TraceId);
    }

    [Fact]
    public async Task Log_records_arrive_with_their_service_severity_and_trace()
    {
        await using var test = await TestDashboard.StartAsync();
        using var tracerProvider = TracerFor("attendance-api", _gatewaySource, test.Dashboard.Url);
        using var source = new ActivitySource(_gatewaySource);
        string traceId;
        using (var loggerFactory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
               {
                   o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("attendance-api"));
                   o.IncludeFormattedMessage = true;
                   o.AddOtlpExporter(e =>
                   {
                       e.Protocol = OtlpExportProtocol.HttpProtobuf;
                       e.Endpoint = new Uri(test.Dashboard.Url, "v1/logs");
                   });
               })))
        {
            var logger = loggerFactory.CreateLogger("Punches");
            using (var activity = source.StartActivity("POST /api/v1/punches")!)
            {
                traceId = activity.TraceId.ToHexString();
                logger.LogWarning("Punch for {Employee} arrived late", "E-1042");
            }
            logger.LogError("Ledger unreachable");
        } // disposing the factory flushes the log exporter

        var records = test.Dashboard.StructuredLogs.Query(service: "attendance-api");
        Assert.Equal(2, records.Count);
        Assert.Equal("Punch for E-1042 arrived late", records[0].Body);
        Assert.Equal("Warning", records[0].Severity);
        Assert.Equal(traceId, records[0].TraceId);
        Assert.Contains(records[0].Attributes, a => a is { Key: "Employee", Value: "E-1042" });
        Assert.True(records[1].IsError);
        Assert.Null(records[1].TraceId);
    }

    [Fact]
    public async Task Metrics_are_accepted_and_counted()
    {
        await using var test = await TestDashboard.StartAsync();
        var meterName = $"test.meter.{Guid.NewGuid():N}";
        using var meter = new Meter(meterName);
        using var meterProvider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("punch-ledger"))
            .AddMeter(meterName)
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = new Uri(test.Dashboard.Url, "v1/metrics");
            })
            .Build();

        meter.CreateCounter<long>("punches.recorded").Add(3, new KeyValuePair<string, object?>("tenant", "acme"));
        meter.CreateHistogram<double>("punch.duration").Record(12.5);
        Assert.True(meterProvider.ForceFlush(10_000));

        var service = Assert.Single(test.Dashboard.Metrics.Snapshot());
        Assert.Equal("punch-ledger", service.ServiceName);
        Assert.Equal(["punch.duration", "punches.recorded"], service.MetricNames);
        Assert.Equal(2, service.DataPoints);
    }
}

using Google.Protobuf;
using HrmsAttendance.AppHost.Dashboard;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Collector.Logs.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Common.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Logs.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Resource.V1;
using OtlpSpanKind = HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Trace.V1.Span.Types.SpanKind;

namespace HrmsAttendance.AppHost.Tests.Support;

/// <summary>Realistic resources, console output and a punch trace, for page tests and screenshots.</summary>
public static class SampleTopology
{
    public static void AddResources(InMemoryResourceView view)
    {
        var started = DateTimeOffset.Now.AddMinutes(-7);
        view.Set(new ResourceSnapshot("postgres", "postgres", "Running", "Healthy", ["tcp://127.0.0.1:54329"], 41_207, 0, started));
        view.Set(new ResourceSnapshot("redis", "redis", "Running", "Healthy", ["tcp://127.0.0.1:63790"], 41_215, 0, started));
        view.Set(new ResourceSnapshot("rabbitmq", "rabbitmq", "Starting", "Unknown", ["amqp://127.0.0.1:56720", "http://127.0.0.1:15680"], 41_233, 0, started.AddMinutes(6)));
        view.Set(new ResourceSnapshot("identity", "project", "Running", "Unhealthy", ["http://127.0.0.1:5201"], 41_388, 2, started.AddMinutes(3)));
        view.Set(new ResourceSnapshot("punch-ledger", "project", "Running", "Healthy", ["http://127.0.0.1:5101"], 41_402, 0, started.AddSeconds(20)));
        view.Set(new ResourceSnapshot("attendance-api", "project", "Running", "Healthy", ["http://127.0.0.1:5001"], 41_420, 0, started.AddSeconds(25)));
        view.Set(new ResourceSnapshot("payroll-export", "project", "Exited", "Unknown", [], null, 3, null));

        var at = DateTimeOffset.Now.AddSeconds(-40);
        view.Log("punch-ledger", "stdout", "\u001b[32minfo\u001b[0m: Microsoft.Hosting.Lifetime[14] Now listening on: http://127.0.0.1:5101", at);
        view.Log("punch-ledger", "stdout", "info: Microsoft.Hosting.Lifetime[0] Application started. Press Ctrl+C to shut down.", at.AddSeconds(1));
        view.Log("punch-ledger", "stdout", "info: PunchLedger.RecordPunch[0] Punch recorded for employee E-1042 (tenant acme) in 18 ms", at.AddSeconds(12));
        view.Log("punch-ledger", "stderr", "warn: Npgsql.Pool[0] Connection pool is at 90% of its maximum size (18/20)", at.AddSeconds(14));
        view.Log("punch-ledger", "stdout", "info: PunchLedger.RecordPunch[0] Punch recorded for employee E-2210 (tenant globex) in 11 ms", at.AddSeconds(20));
        view.Log("punch-ledger", "stderr", "fail: PunchLedger.RecordPunch[0] Duplicate punch rejected: 23505 unique_violation on punches_employee_minute", at.AddSeconds(26));
        view.Log("punch-ledger", "stdout", "info: PunchLedger.RecordPunch[0] Punch recorded for employee E-1042 (tenant acme) in 9 ms", at.AddSeconds(31));
        view.Log("postgres", "stderr", "LOG:  database system is ready to accept connections", at);
    }

    /// <summary>A punch through the gateway, the ledger, identity, Postgres, Redis and RabbitMQ; the notifier fails.</summary>
    public static OtlpTraceBuilder PunchTrace(DateTimeOffset? start = null)
    {
        var trace = new OtlpTraceBuilder(start: start);
        var root = trace.AddSpan("attendance-api", "POST /api/v1/punches", 0, 48, kind: OtlpSpanKind.Server,
            attributes: [("http.request.method", "POST"), ("url.path", "/api/v1/punches"), ("http.response.status_code", 201), ("tenant.id", "acme")]);
        var call = trace.AddSpan("attendance-api", "punchledger.v1.PunchLedger/RecordPunch", 3, 44, root, OtlpSpanKind.Client,
            attributes: [("rpc.system", "grpc"), ("server.address", "127.0.0.1"), ("server.port", 5101)]);
        var ledger = trace.AddSpan("punch-ledger", "punchledger.v1.PunchLedger/RecordPunch", 5, 42, call, OtlpSpanKind.Server,
            attributes: [("rpc.system", "grpc"), ("rpc.grpc.status_code", 0), ("employee.id", "E-1042")]);
        var resolve = trace.AddSpan("punch-ledger", "identity.v1.Identity/ResolveEmployee", 6, 15, ledger, OtlpSpanKind.Client,
            attributes: [("rpc.system", "grpc")]);
        var identity = trace.AddSpan("identity", "identity.v1.Identity/ResolveEmployee", 7, 14, resolve, OtlpSpanKind.Server,
            attributes: [("rpc.system", "grpc")]);
        trace.AddSpan("identity", "postgresql", 8, 12.5, identity, OtlpSpanKind.Client,
            attributes: [("db.system.name", "postgresql"), ("db.namespace", "hrms_identity"), ("db.query.text", "SELECT id, tenant_id FROM employees WHERE code = $1")]);
        trace.AddSpan("punch-ledger", "postgresql", 16, 27, ledger, OtlpSpanKind.Client,
            attributes: [("db.system.name", "postgresql"), ("db.namespace", "hrms_ledger"), ("db.query.text", "INSERT INTO punches (employee_id, tenant_id, at) VALUES ($1, $2, $3)")]);
        trace.AddSpan("punch-ledger", "SET punch:last:E-1042", 28, 30, ledger, OtlpSpanKind.Client,
            attributes: [("db.system.name", "redis")]);
        trace.AddSpan("punch-ledger", "punches.recorded publish", 31, 35, ledger, OtlpSpanKind.Producer,
            attributes: [("messaging.system", "rabbitmq"), ("messaging.destination.name", "punches.recorded")]);
        trace.AddSpan("notification-worker", "punches.recorded process", 37, 58, ledger, OtlpSpanKind.Consumer,
            error: true, statusMessage: "SMTP server did not answer within 20 s",
            attributes: [("messaging.system", "rabbitmq"), ("error.type", "System.TimeoutException")]);
        return trace;
    }

    /// <summary>ILogger-style records of three services; the ledger's are inside <paramref name="traceId"/>.</summary>
    public static ExportLogsServiceRequest PunchLogs(string traceId, DateTimeOffset at)
    {
        var request = new ExportLogsServiceRequest();
        Add("attendance-api", 9, "Information", "Request POST /api/v1/punches started", 0, traceId);
        Add("punch-ledger", 9, "Information", "Recording punch for employee E-1042 (tenant acme)", 6, traceId);
        Add("punch-ledger", 13, "Warning", "Connection pool is at 90% of its maximum size (18/20)", 16, traceId);
        Add("notification-worker", 17, "Error", "Could not send the punch receipt: SMTP server did not answer within 20 s", 57, traceId);
        Add("attendance-api", 9, "Information", "Request GET /health finished in 0.4 ms", 900, null);
        return request;

        void Add(string service, int severity, string severityText, string body, double atMs, string? inTrace)
        {
            var record = new LogRecord
            {
                TimeUnixNano = OtlpTraceBuilder.UnixNano(at.AddMilliseconds(atMs)),
                SeverityNumber = severity,
                SeverityText = severityText,
                Body = new AnyValue { StringValue = body },
            };
            record.Attributes.Add(OtlpTraceBuilder.Attribute("tenant.id", "acme"));
            if (inTrace is not null) record.TraceId = ByteString.CopyFrom(Convert.FromHexString(inTrace));
            var resourceLogs = new ResourceLogs { Resource = new Resource() };
            resourceLogs.Resource.Attributes.Add(OtlpTraceBuilder.Attribute("service.name", service));
            resourceLogs.ScopeLogs.Add(new ScopeLogs { Scope = new InstrumentationScope { Name = "PunchLedger" } });
            resourceLogs.ScopeLogs[0].LogRecords.Add(record);
            request.ResourceLogs.Add(resourceLogs);
        }
    }
}

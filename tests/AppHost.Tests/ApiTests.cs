using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using HrmsAttendance.AppHost.Tests.Support;

namespace HrmsAttendance.AppHost.Tests;

public sealed class ApiTests
{
    [Fact]
    public async Task Json_endpoints_serve_resources_logs_and_traces()
    {
        await using var test = await TestDashboard.StartAsync();
        SampleTopology.AddResources(test.Resources);
        var punch = SampleTopology.PunchTrace();
        (await test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf(punch.Build().ToByteArray()))).EnsureSuccessStatusCode();

        var resources = await test.Http.GetFromJsonAsync<JsonElement>("/api/resources");
        Assert.Equal(7, resources.GetArrayLength());
        Assert.Equal("postgres", resources[0].GetProperty("name").GetString());
        Assert.Equal(41_207, resources[0].GetProperty("processId").GetInt32());

        var logs = await test.Http.GetFromJsonAsync<JsonElement>("/api/logs/punch-ledger?search=duplicate");
        var line = Assert.Single(logs.GetProperty("lines").EnumerateArray());
        Assert.Equal("stderr", line.GetProperty("stream").GetString());

        var traces = await test.Http.GetFromJsonAsync<JsonElement>("/api/traces?service=identity&minMs=50");
        var trace = Assert.Single(traces.EnumerateArray());
        Assert.Equal(punch.TraceId, trace.GetProperty("traceId").GetString());
        Assert.Equal(58, trace.GetProperty("durationMs").GetDouble(), 3);
        Assert.True(trace.GetProperty("hasError").GetBoolean());
        Assert.Equal(0, (await test.Http.GetFromJsonAsync<JsonElement>("/api/traces?minMs=59")).GetArrayLength());

        var detail = await test.Http.GetFromJsonAsync<JsonElement>($"/api/traces/{punch.TraceId}");
        var spans = detail.GetProperty("spans").EnumerateArray().ToList();
        Assert.Equal(10, spans.Count);
        Assert.Equal("POST /api/v1/punches", spans[0].GetProperty("name").GetString());
        Assert.Equal("Server", spans[0].GetProperty("kind").GetString());
        Assert.Equal("acme", spans[0].GetProperty("attributes").GetProperty("tenant.id").GetString());
        var db = spans.Single(s => s.GetProperty("attributes").TryGetProperty("db.namespace", out var ns) && ns.GetString() == "hrms_ledger");
        Assert.Equal(3, db.GetProperty("depth").GetInt32());
        Assert.Equal(16, db.GetProperty("offsetMs").GetDouble(), 3);

        Assert.Equal(HttpStatusCode.NotFound, (await test.Http.GetAsync("/api/traces/ffffffffffffffffffffffffffffffff")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await test.Http.GetAsync("/api/logs/nope")).StatusCode);

        var otlp = await test.Http.GetFromJsonAsync<JsonElement>("/api/otlp");
        Assert.Equal(10, otlp.GetProperty("spansReceived").GetInt64());
        Assert.Equal(1_000, otlp.GetProperty("maxTraces").GetInt32());
    }
}

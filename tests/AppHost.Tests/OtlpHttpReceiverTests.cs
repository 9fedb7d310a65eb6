using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Collector.Trace.V1;
using HrmsAttendance.AppHost.Dashboard.Otlp.Proto.Trace.V1;
using HrmsAttendance.AppHost.Tests.Support;

namespace HrmsAttendance.AppHost.Tests;

/// <summary>The OTLP/HTTP receiver's contract at the byte level: encodings, bounds, bad input.</summary>
public sealed class OtlpHttpReceiverTests
{
    private static byte[] Gzip(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(body);
        return buffer.ToArray();
    }

    private static HttpContent GzipProtobuf(byte[] body)
    {
        var content = OtlpTraceBuilder.Protobuf(Gzip(body));
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    [Fact]
    public async Task A_plain_protobuf_export_is_stored_and_answered_with_an_empty_response()
    {
        await using var test = await TestDashboard.StartAsync();
        var trace = SampleTopology.PunchTrace();

        using var response = await test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf(trace.Build().ToByteArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(answer.PartialSuccess);
        Assert.Equal(10, test.Dashboard.Traces.GetTrace(trace.TraceId)!.Summary.SpanCount);
    }

    [Fact]
    public async Task A_gzip_body_is_inflated()
    {
        await using var test = await TestDashboard.StartAsync();
        var trace = SampleTopology.PunchTrace();

        using var response = await test.Http.PostAsync("/v1/traces", GzipProtobuf(trace.Build().ToByteArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = test.Dashboard.Traces.GetTrace(trace.TraceId)!.Summary;
        Assert.Equal(["attendance-api", "punch-ledger", "identity", "notification-worker"], summary.Services);
    }

    [Fact]
    public async Task A_malformed_body_is_400_and_the_receiver_keeps_working()
    {
        await using var test = await TestDashboard.StartAsync();

        using var garbage = await test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]));
        using var badGzip = await test.Http.PostAsync("/v1/traces", BadGzip());
        using var badLogs = await test.Http.PostAsync("/v1/logs", OtlpTraceBuilder.Protobuf([0xFF]));

        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badGzip.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLogs.StatusCode);
        Assert.Equal(3, test.Dashboard.OtlpCounters.FailedRequests);

        using var good = await test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf(SampleTopology.PunchTrace().Build().ToByteArray()));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);

        static HttpContent BadGzip()
        {
            var content = OtlpTraceBuilder.Protobuf([1, 2, 3, 4, 5]);
            content.Headers.ContentEncoding.Add("gzip");
            return content;
        }
    }

    [Fact]
    public async Task An_oversized_body_is_413_before_and_after_decompression()
    {
        await using var test = await TestDashboard.StartAsync(maxOtlpBodyBytes: 64 * 1024);
        var tooBig = new byte[64 * 1024 + 1];

        using var plain = await test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf(tooBig));
        // Chunked (no content-length): the bound is enforced while reading.
        using var chunked = await test.Http.PostAsync("/v1/traces", new ChunkedContent(tooBig));
        // A small gzip body that inflates past the bound.
        using var bomb = await test.Http.PostAsync("/v1/traces", GzipProtobuf(new byte[1024 * 1024]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, plain.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bomb.StatusCode);
        Assert.Equal(0, test.Dashboard.Traces.SpanCount);
    }

    [Fact]
    public async Task The_default_bound_is_8_MiB()
    {
        await using var test = await TestDashboard.StartAsync();
        using var response = await test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf(new byte[8 * 1024 * 1024 + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Json_and_unknown_encodings_are_415()
    {
        await using var test = await TestDashboard.StartAsync();

        using var json = await test.Http.PostAsync("/v1/traces", new StringContent("{}", MediaTypeHeaderValue.Parse("application/json")));
        var brotli = OtlpTraceBuilder.Protobuf([]);
        brotli.Headers.ContentEncoding.Add("br");
        using var br = await test.Http.PostAsync("/v1/traces", brotli);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Contains("http/protobuf", await json.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, br.StatusCode);
    }

    [Fact]
    public async Task Spans_with_bad_ids_are_rejected_through_partial_success()
    {
        await using var test = await TestDashboard.StartAsync();
        var request = SampleTopology.PunchTrace().Build();
        request.ResourceSpans[0].ScopeSpans[0].Spans.Add(new Span { Name = "no ids", TraceId = ByteString.CopyFrom(1, 2, 3) });

        using var response = await test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf(request.ToByteArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, answer.PartialSuccess.RejectedSpans);
        Assert.Equal(10, test.Dashboard.Traces.SpanCount);
    }

    [Fact]
    public async Task The_store_bound_holds_through_the_receiver()
    {
        await using var test = await TestDashboard.StartAsync(maxSpans: 100, maxTraces: 5);
        for (var i = 0; i < 20; i++)
            (await test.Http.PostAsync("/v1/traces", OtlpTraceBuilder.Protobuf(SampleTopology.PunchTrace().Build().ToByteArray()))).Dispose();

        Assert.Equal(5, test.Dashboard.Traces.TraceCount);
        Assert.Equal(50, test.Dashboard.Traces.SpanCount);
        Assert.Equal(200, test.Dashboard.OtlpCounters.Spans);
    }

    /// <summary>Content with no known length, so HttpClient sends it chunked.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _body;

        public ChunkedContent(byte[] body)
        {
            _body = body;
            Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

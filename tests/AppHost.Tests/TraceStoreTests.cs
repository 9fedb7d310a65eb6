using HrmsAttendance.AppHost.Dashboard.Traces;

namespace HrmsAttendance.AppHost.Tests;

public sealed class TraceStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static SpanRecord Span(string traceId, string spanId, string? parent, string service, double startMs, double endMs,
        SpanStatus status = SpanStatus.Unset, string? name = null) =>
        new(traceId, spanId, parent, name ?? $"{service}:{spanId}", "Internal", service, "test",
            UnixNano.From(T0.AddMilliseconds(startMs)), UnixNano.From(T0.AddMilliseconds(endMs)), [], [], status, null, []);

    private static string TraceId(int n) => n.ToString("x32");

    [Fact]
    public void Summary_names_the_root_spans_services_duration_and_error()
    {
        var store = new TraceStore();
        store.Add([
            Span(TraceId(1), "b", "a", "ledger", 5, 30, SpanStatus.Error),
            Span(TraceId(1), "a", null, "gateway", 0, 40, name: "POST /punch"),
            Span(TraceId(1), "c", "b", "ledger", 10, 20),
        ]);

        var trace = Assert.Single(store.ListTraces());
        Assert.Equal("POST /punch", trace.RootSpanName);
        Assert.Equal("gateway", trace.RootServiceName);
        Assert.Equal(["gateway", "ledger"], trace.Services);
        Assert.Equal(TimeSpan.FromMilliseconds(40), trace.Duration);
        Assert.Equal(3, trace.SpanCount);
        Assert.True(trace.HasError);
        Assert.Equal(T0, trace.Start);
    }

    [Fact]
    public void A_span_whose_parent_never_arrived_is_the_root()
    {
        var store = new TraceStore();
        store.Add([Span(TraceId(1), "b", "missing", "ledger", 5, 30, name: "orphan"), Span(TraceId(1), "c", "b", "ledger", 6, 7)]);

        var trace = Assert.Single(store.ListTraces());
        Assert.Equal("orphan", trace.RootSpanName);
        var detail = store.GetTrace(TraceId(1))!;
        Assert.Equal([("b", 0), ("c", 1)], detail.Spans.Select(s => (s.Span.SpanId, s.Depth)));
    }

    [Fact]
    public void Waterfall_is_depth_first_with_siblings_by_start()
    {
        var store = new TraceStore();
        store.Add([
            Span(TraceId(1), "root", null, "a", 0, 100),
            Span(TraceId(1), "late", "root", "a", 50, 60),
            Span(TraceId(1), "early", "root", "b", 10, 40),
            Span(TraceId(1), "early-child", "early", "b", 20, 30),
        ]);

        var rows = store.GetTrace(TraceId(1))!.Spans;
        Assert.Equal(["root", "early", "early-child", "late"], rows.Select(r => r.Span.SpanId));
        Assert.Equal([0, 1, 2, 1], rows.Select(r => r.Depth));
        Assert.Equal(TimeSpan.FromMilliseconds(50), rows[3].Offset);
    }

    [Fact]
    public void Parent_cycles_do_not_hang_or_lose_spans()
    {
        var store = new TraceStore();
        store.Add([Span(TraceId(1), "x", "y", "a", 0, 1), Span(TraceId(1), "y", "x", "a", 1, 2)]);
        Assert.Equal(2, store.GetTrace(TraceId(1))!.Spans.Count);
    }

    [Fact]
    public void Lists_newest_first_and_filters_by_service_and_min_duration()
    {
        var store = new TraceStore();
        store.Add([Span(TraceId(1), "a", null, "gateway", 0, 5)]);
        store.Add([Span(TraceId(2), "a", null, "gateway", 100, 300), Span(TraceId(2), "b", "a", "ledger", 110, 200)]);
        store.Add([Span(TraceId(3), "a", null, "ledger", 200, 220)]);

        Assert.Equal([TraceId(3), TraceId(2), TraceId(1)], store.ListTraces().Select(t => t.TraceId));
        Assert.Equal([TraceId(3), TraceId(2)], store.ListTraces(new TraceQuery(Service: "ledger")).Select(t => t.TraceId));
        Assert.Equal([TraceId(2)], store.ListTraces(new TraceQuery(MinDuration: TimeSpan.FromMilliseconds(100))).Select(t => t.TraceId));
        Assert.Equal(["gateway", "ledger"], store.GetServices());
    }

    [Fact]
    public void Evicts_the_oldest_traces_past_the_trace_bound()
    {
        var store = new TraceStore(maxSpans: 1_000, maxTraces: 10);
        for (var i = 0; i < 100; i++) store.Add([Span(TraceId(i), "a", null, "svc", i, i + 1)]);

        Assert.Equal(10, store.TraceCount);
        Assert.Equal(90, store.EvictedTraces);
        Assert.Equal(Enumerable.Range(90, 10).Reverse().Select(TraceId), store.ListTraces().Select(t => t.TraceId));
        Assert.Null(store.GetTrace(TraceId(0)));
    }

    [Fact]
    public void Evicts_whole_traces_past_the_span_bound_keeping_the_recently_updated_one()
    {
        var store = new TraceStore(maxSpans: 50, maxTraces: 1_000);
        for (var i = 0; i < 20; i++)
            store.Add(Enumerable.Range(0, 5).Select(s => Span(TraceId(i), $"s{s}", null, "svc", i, i + 1)));
        // Trace 10 gets a late span: it becomes the most recently updated and survives.
        store.Add([Span(TraceId(10), "late", "s0", "svc", 10, 11)]);
        for (var i = 20; i < 25; i++)
            store.Add(Enumerable.Range(0, 5).Select(s => Span(TraceId(i), $"s{s}", null, "svc", i, i + 1)));

        Assert.True(store.SpanCount <= 50, $"{store.SpanCount} spans kept");
        Assert.Equal(6, store.GetTrace(TraceId(10))!.Summary.SpanCount);
        Assert.NotNull(store.GetTrace(TraceId(24)));
        Assert.Null(store.GetTrace(TraceId(0)));
    }

    [Fact]
    public void A_single_trace_never_holds_more_than_the_span_bound()
    {
        var store = new TraceStore(maxSpans: 10, maxTraces: 10);
        store.Add(Enumerable.Range(0, 25).Select(s => Span(TraceId(1), $"s{s}", null, "svc", s, s + 1)));
        Assert.Equal(10, store.SpanCount);
        Assert.Equal(15, store.DroppedSpans);
    }

    [Fact]
    public void A_resent_span_replaces_the_stored_one()
    {
        var store = new TraceStore();
        store.Add([Span(TraceId(1), "a", null, "svc", 0, 1, name: "first")]);
        store.Add([Span(TraceId(1), "a", null, "svc", 0, 1, name: "second")]);
        Assert.Equal(1, store.SpanCount);
        Assert.Equal("second", store.GetTrace(TraceId(1))!.Summary.RootSpanName);
    }

    [Fact]
    public async Task Bounds_hold_under_concurrent_writers_and_readers()
    {
        var store = new TraceStore(maxSpans: 500, maxTraces: 100);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
                store.Add([Span(TraceId(w * 1_000 + i), "a", null, $"svc{w}", i, i + 2), Span(TraceId(w * 1_000 + i), "b", "a", "db", i, i + 1)]);
        }));
        var reader = Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                foreach (var t in store.ListTraces(new TraceQuery(Limit: 20))) store.GetTrace(t.TraceId);
                Assert.True(store.TraceCount <= 100);
            }
        });
        await Task.WhenAll([.. writers, reader]);

        Assert.Equal(100, store.TraceCount);
        Assert.Equal(200, store.SpanCount);
    }

    [Fact]
    public async Task WaitForTraceAsync_completes_when_the_matching_span_arrives()
    {
        var store = new TraceStore();
        store.Add([Span(TraceId(1), "a", null, "gateway", 0, 5)]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var waiting = store.WaitForTraceAsync(t => t.Spans.Any(s => s.Span.ServiceName == "postgres"), timeout.Token);
        Assert.False(waiting.IsCompleted);

        store.Add([Span(TraceId(2), "a", null, "ledger", 0, 5)]);
        store.Add([Span(TraceId(2), "b", "a", "postgres", 1, 4)]);

        var trace = await waiting;
        Assert.Equal(TraceId(2), trace.Summary.TraceId);
        Assert.Equal(["ledger", "postgres"], trace.Summary.Services);
    }

    [Fact]
    public async Task WaitForTraceAsync_gives_up_when_cancelled()
    {
        var store = new TraceStore();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WaitForTraceAsync(_ => true, cancel.Token));
    }
}

using HrmsAttendance.AppHost.Dashboard;

namespace HrmsAttendance.AppHost.Tests.Support;

/// <summary>A dashboard on a free loopback port with an in-memory resource view and an HTTP client.</summary>
public sealed class TestDashboard : IAsyncDisposable
{
    private TestDashboard(RunningDashboard dashboard, InMemoryResourceView resources)
    {
        Dashboard = dashboard;
        Resources = resources;
        Http = new HttpClient { BaseAddress = dashboard.Url, Timeout = TimeSpan.FromSeconds(20) };
    }

    public RunningDashboard Dashboard { get; }
    public InMemoryResourceView Resources { get; }
    public HttpClient Http { get; }

    public static async Task<TestDashboard> StartAsync(int maxSpans = 10_000, int maxTraces = 1_000, long maxOtlpBodyBytes = DashboardOptions.DefaultMaxOtlpBodyBytes)
    {
        var resources = new InMemoryResourceView();
        var dashboard = await DashboardServer.StartAsync(new DashboardOptions
        {
            Url = "http://127.0.0.1:0",
            ResourceView = resources,
            MaxSpans = maxSpans,
            MaxTraces = maxTraces,
            MaxOtlpBodyBytes = maxOtlpBodyBytes,
            ConfigureLogging = _ => { }, // silent: no provider
        });
        return new TestDashboard(dashboard, resources);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Dashboard.DisposeAsync();
    }
}

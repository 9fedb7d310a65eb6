using System.Net;
using System.Net.Sockets;
using HrmsAttendance.AppHost.Dashboard;
using HrmsAttendance.AppHost.Tests.Support;

namespace HrmsAttendance.AppHost.Tests;

public sealed class DashboardServerTests
{
    [Fact]
    public async Task Port_zero_binds_a_free_loopback_port_and_reports_it()
    {
        await using var test = await TestDashboard.StartAsync();

        Assert.Equal("127.0.0.1", test.Dashboard.Url.Host);
        Assert.NotEqual(0, test.Dashboard.Url.Port);
        Assert.Equal($"http://127.0.0.1:{test.Dashboard.Url.Port}", test.Dashboard.OtlpEndpoint);
        using var response = await test.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Localhost_is_bound_as_127_0_0_1_only()
    {
        await using var dashboard = await DashboardServer.StartAsync(new DashboardOptions
        {
            Url = "http://localhost:0", ResourceView = new InMemoryResourceView(), ConfigureLogging = _ => { },
        });
        Assert.Equal("127.0.0.1", dashboard.Url.Host);
    }

    [Theory]
    [InlineData("http://0.0.0.0:18888")]
    [InlineData("http://192.168.1.10:18888")]
    [InlineData("https://127.0.0.1:18888")]
    [InlineData("not a url")]
    public async Task Anything_but_a_loopback_http_url_is_refused(string url)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => DashboardServer.StartAsync(new DashboardOptions
        {
            Url = url, ResourceView = new InMemoryResourceView(), ConfigureLogging = _ => { },
        }));
    }

    [Fact]
    public async Task Dispose_releases_the_port()
    {
        var test = await TestDashboard.StartAsync();
        var port = test.Dashboard.Url.Port;
        await test.DisposeAsync();
        await test.Dashboard.DisposeAsync(); // a second dispose is harmless

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start(); // would throw "address in use" if the dashboard still held it
    }

    [Fact]
    public async Task RunAsync_serves_until_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var run = DashboardServer.RunAsync(new DashboardOptions
        {
            Url = "http://127.0.0.1:0", ResourceView = new InMemoryResourceView(), ConfigureLogging = _ => { },
        }, cancel.Token);
        await cancel.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

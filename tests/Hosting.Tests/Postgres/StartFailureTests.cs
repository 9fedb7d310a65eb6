using System.Net;
using System.Net.Sockets;
using HrmsAttendance.Hosting.Postgres;

namespace HrmsAttendance.Hosting.Tests.Postgres;

public class StartFailureTests
{
    [Fact]
    public async Task A_fixed_port_already_in_use_fails_with_a_clear_message()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartTemporaryOnAsync(port));

        Assert.Contains($"127.0.0.1:{port}", failure.Message);
        Assert.Contains("already in use", failure.Message);
    }

    [Fact]
    public async Task A_server_that_exits_while_starting_reports_its_last_log_lines()
    {
        var settings = new Dictionary<string, string> { ["max_connections"] = "not-a-number" };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartTemporaryOnAsync(0, settings));

        Assert.Contains("exited with code", failure.Message);
        Assert.Contains("max_connections", failure.Message); // postgres's own complaint, from its stderr
    }

    private static async Task StartTemporaryOnAsync(int port, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"hrms-pg-fail-{Guid.NewGuid():N}");
        try
        {
            await using var server = await PostgresServer.StartAsync(new PostgresServerOptions
            {
                DataDirectory = dataDirectory,
                Port = port,
                Settings = settings,
            });
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }
}

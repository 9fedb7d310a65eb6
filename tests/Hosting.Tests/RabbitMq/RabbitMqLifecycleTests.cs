using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HrmsAttendance.Hosting.RabbitMq;

namespace HrmsAttendance.Hosting.Tests.RabbitMq;

/// <summary>Starts nodes of its own, beside the shared one (which is running throughout).</summary>
[Collection(RabbitMqCollection.Name)]
public class RabbitMqLifecycleTests(SharedRabbitMq shared)
{
    [Fact]
    public async Task Restart_on_the_same_directory_keeps_node_name_and_credentials_and_stop_leaves_no_process()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"hrms-rabbitmq-restart-{Guid.NewGuid():N}");
        try
        {
            var first = await RabbitMqServer.StartAsync(new RabbitMqServerOptions { DataDirectory = dataDirectory });
            var (nodeName, userName, password) = (first.NodeName, first.UserName, first.Password);
            int[] ports = [first.Port, first.DistributionPort, first.EpmdPort];
            Assert.NotEmpty(ProcessScan.Mentioning(dataDirectory));

            await first.DisposeAsync();
            await first.DisposeAsync(); // idempotent

            Assert.Empty(ProcessScan.Mentioning(dataDirectory)); // no rabbitmq-server, beam.smp, epmd, inet_gethost…
            Assert.False(ProcessState.IsAlive(first.ProcessId));
            foreach (var port in ports)
            {
                await AssertClosedAsync(port);
            }

            // As if the host of a previous run had been killed with SIGKILL, leaving its VM and epmd running.
            using var leftovers = LeftoverProcesses.Plant(dataDirectory, nodeName);

            var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
            await using var second = await RabbitMqServer.StartAsync(new RabbitMqServerOptions { DataDirectory = dataDirectory, Log = lines.Enqueue });
            Assert.True(leftovers.AllExited, "the leftover VM and epmd were not stopped");
            Assert.Contains(lines, line => line.Contains($"node {nodeName} of an earlier run is still running"));
            Assert.Equal((nodeName, userName, password), (second.NodeName, second.UserName, second.Password));
            Assert.DoesNotContain(lines, line => line.Contains("first boot"));
            Assert.DoesNotContain(lines, line => line.Contains($"Created user '{userName}'"));
            var login = await AmqpProbe.LogInAsync(second.Port, userName, password);
            Assert.True(login.Accepted, login.Refusal);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Two_nodes_run_side_by_side_each_with_its_own_ports_cookie_and_credentials()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        string dataDirectory;
        await using (var beside = await RabbitMqServer.StartTemporaryAsync(lines.Enqueue))
        {
            dataDirectory = NodeLog.DataDirectory(lines);
            var first = shared.Server;
            Assert.NotEqual(first.NodeName, beside.NodeName);
            Assert.NotEqual(first.Password, beside.Password);
            Assert.Empty(new[] { first.Port, first.DistributionPort, first.EpmdPort }
                .Intersect([beside.Port, beside.DistributionPort, beside.EpmdPort]));
            Assert.NotEqual(
                File.ReadAllText(Path.Combine(shared.DataDirectory, "home", ".erlang.cookie")),
                File.ReadAllText(Path.Combine(dataDirectory, "home", ".erlang.cookie")));

            Assert.True((await AmqpProbe.LogInAsync(first.Port, first.UserName, first.Password)).Accepted);
            Assert.True((await AmqpProbe.LogInAsync(beside.Port, beside.UserName, beside.Password)).Accepted);
            Assert.False((await AmqpProbe.LogInAsync(beside.Port, first.UserName, first.Password)).Accepted);
        }

        Assert.False(Directory.Exists(dataDirectory)); // a temporary node's directory goes with it
        Assert.Empty(ProcessScan.Mentioning(dataDirectory));
        Assert.True((await AmqpProbe.LogInAsync(shared.Server.Port, shared.Server.UserName, shared.Server.Password)).Accepted);
    }

    [Fact]
    public async Task Dispose_stops_a_VM_left_behind_by_a_killed_script()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var server = await RabbitMqServer.StartTemporaryAsync(lines.Enqueue);
        var dataDirectory = NodeLog.DataDirectory(lines);
        var beamPid = Assert.Single(ProcessScan.ChildrenOf(server.ProcessId));

        Process.GetProcessById(server.ProcessId).Kill(); // SIGKILL of the script alone: its VM is orphaned
        await Poll.UntilAsync(() => !ProcessState.IsAlive(server.ProcessId));
        Assert.True(ProcessState.IsAlive(beamPid));

        await server.DisposeAsync();

        Assert.False(ProcessState.IsAlive(beamPid));
        Assert.Empty(ProcessScan.Mentioning(dataDirectory));
        Assert.Contains(lines, line => line.Contains($"the Erlang VM (pid {beamPid}) outlived its rabbitmq-server script"));
    }

    [Fact]
    public async Task A_directory_in_use_by_a_running_node_is_refused()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RabbitMqServer.StartAsync(new RabbitMqServerOptions { DataDirectory = shared.DataDirectory }));

        Assert.Contains("in use by another running RabbitMqServer", failure.Message);
        Assert.True((await AmqpProbe.LogInAsync(shared.Server.Port, shared.Server.UserName, shared.Server.Password)).Accepted);
    }

    [Fact]
    public async Task A_fixed_port_already_in_use_fails_at_once_with_a_clear_message()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"hrms-rabbitmq-fail-{Guid.NewGuid():N}");
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                RabbitMqServer.StartAsync(new RabbitMqServerOptions { DataDirectory = dataDirectory, Port = port }));

            Assert.Contains($"127.0.0.1:{port}", failure.Message);
            Assert.Contains("already in use", failure.Message);
            Assert.Empty(ProcessScan.Mentioning(dataDirectory));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_database_without_its_credentials_file_is_refused()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"hrms-rabbitmq-orphan-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(dataDirectory, "mnesia", "hrms-0123456789@localhost"));
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                RabbitMqServer.StartAsync(new RabbitMqServerOptions { DataDirectory = dataDirectory }));

            Assert.Contains("credentials.json", failure.Message);
            Assert.Contains("delete the data directory", failure.Message);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task AssertClosedAsync(int port)
    {
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}

using HrmsAttendance.Hosting.RabbitMq;

namespace HrmsAttendance.Hosting.Tests.RabbitMq;

[Collection(RabbitMqCollection.Name)]
public class RabbitMqServerTests(SharedRabbitMq rabbit)
{
    private RabbitMqServer Server => rabbit.Server;

    [Fact]
    public async Task Accepts_its_credentials_over_AMQP()
    {
        var login = await AmqpProbe.LogInAsync(Server.Port, Server.UserName, Server.Password);

        Assert.True(login.Accepted, login.Refusal);
        Assert.Contains("RabbitMQ", login.ServerProperties);
        Assert.Contains(Server.NodeName.Split('@')[0], login.ServerProperties); // cluster_name: node@machine
    }

    [Fact]
    public async Task Refuses_a_wrong_password_and_an_unknown_user()
    {
        var wrongPassword = await AmqpProbe.LogInAsync(Server.Port, Server.UserName, "not-the-password");
        var guest = await AmqpProbe.LogInAsync(Server.Port, "guest", "guest");

        Assert.False(wrongPassword.Accepted);
        Assert.StartsWith("403 ACCESS_REFUSED", wrongPassword.Refusal);
        Assert.False(guest.Accepted); // the default user replaces guest/guest
    }

    [Fact]
    public void Connection_string_follows_the_Aspire_convention()
    {
        Assert.Equal($"amqp://{Server.UserName}:{Server.Password}@127.0.0.1:{Server.Port}", Server.ConnectionString);
        var uri = new Uri(Server.ConnectionString);
        Assert.Equal($"{Server.UserName}:{Server.Password}", Uri.UnescapeDataString(uri.UserInfo));
        Assert.Matches("^[0-9a-f]{48}$", Server.Password);
        Assert.Matches("^hrms-[0-9a-f]{10}@localhost$", Server.NodeName);
    }

    [Fact]
    public void AMQP_distribution_and_epmd_ports_listen_on_loopback_only()
    {
        Assert.Equal("127.0.0.1", Server.Host);
        var beamListens = ProcessScan.ListeningAddressesOf(rabbit.BeamPid);
        Assert.Equal(
            new[] { $"127.0.0.1:{Server.Port}", $"127.0.0.1:{Server.DistributionPort}" }.Order(),
            beamListens.Order());

        // epmd always adds the loopback addresses of both families; never a wildcard.
        var epmdListens = ProcessScan.ListeningAddressesOn(Server.EpmdPort);
        Assert.Contains($"127.0.0.1:{Server.EpmdPort}", epmdListens);
        Assert.All(epmdListens, address => Assert.True(
            address == $"127.0.0.1:{Server.EpmdPort}" || address == $"[::1]:{Server.EpmdPort}", address));
    }

    [Fact]
    public void Secrets_are_readable_by_their_owner_only_and_stay_off_command_lines()
    {
        var directory = rabbit.DataDirectory;
        const UnixFileMode ownerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(ownerReadWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(Path.Combine(directory, "credentials.json")));
        Assert.Equal(ownerReadWrite, File.GetUnixFileMode(Path.Combine(directory, "rabbitmq.conf")));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(Path.Combine(directory, "home", ".erlang.cookie")));
        Assert.Matches("^[A-Z]{20}$", File.ReadAllText(Path.Combine(directory, "home", ".erlang.cookie")));

        foreach (var pid in new[] { Server.ProcessId, rabbit.BeamPid })
        {
            Assert.DoesNotContain(Server.Password, File.ReadAllText($"/proc/{pid}/cmdline"));
        }
    }

    [Fact]
    public async Task The_node_logs_to_our_callback_and_takes_its_settings_from_the_data_directory()
    {
        var directory = rabbit.DataDirectory;
        Assert.Contains(rabbit.Log, line => line.Contains($"config file(s) : {Path.Combine(directory, "rabbitmq.conf")}"));
        Assert.Contains(rabbit.Log, line => line.Contains($"home dir       : {Path.Combine(directory, "home")}"));
        // Logged just after the AMQP listener opens, which is when the launcher returns.
        await Poll.UntilAsync(() => rabbit.Log.Any(line => line.Contains("Server startup complete; 0 plugins started")));
        Assert.Contains(rabbit.Log, line => line.StartsWith($"rabbitmq: ready on 127.0.0.1:{Server.Port}", StringComparison.Ordinal));
    }
}

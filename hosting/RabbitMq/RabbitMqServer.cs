using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using HrmsAttendance.Hosting.PrivateServers;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// A private RabbitMQ node run from Debian's <c>rabbitmq-server</c> as a child process of this host, with its own
/// epmd, listening on 127.0.0.1 only (AMQP, Erlang distribution, epmd). Stands in for Aspire's RabbitMQ resource.
/// Start it with <see cref="StartAsync"/>, hand <see cref="ConnectionString"/> to the services, dispose to stop it.
/// </summary>
public sealed class RabbitMqServer : IAsyncDisposable, IPrivateServer
{
    private const int PortAttempts = 5;

    // How long the VM's helper processes (erl_child_setup) get to follow it out before they are killed.
    private static readonly TimeSpan StragglerGrace = TimeSpan.FromSeconds(5);

    private readonly ChildProcess _node;
    private readonly ErlangVm? _vm;
    private readonly RabbitMqDataDirectory _directory;
    private readonly Epmd _epmd;
    private readonly DataDirectoryLock _directoryLock;
    private readonly RabbitMqCredentials _credentials;
    private readonly string? _temporaryDataDirectory;
    private readonly Action<string> _log;
    private readonly ServerShutdown _shutdown;

    private RabbitMqServer(
        ChildProcess node, Epmd epmd, DataDirectoryLock directoryLock, RabbitMqPorts ports, RabbitMqCredentials credentials,
        RabbitMqDataDirectory directory, string? temporaryDataDirectory, Action<string> log)
    {
        _node = node;
        _vm = ErlangVm.FindChildOf(node.Pid, directory);
        _directory = directory;
        _epmd = epmd;
        _directoryLock = directoryLock;
        Port = ports.Amqp;
        DistributionPort = ports.Distribution;
        _credentials = credentials;
        _temporaryDataDirectory = temporaryDataDirectory;
        _log = log;
        _shutdown = new ServerShutdown(StopAndCleanUpAsync);
    }

    public string Host => "127.0.0.1";

    /// <summary>The AMQP 0-9-1 port.</summary>
    public int Port { get; }

    /// <summary>
    /// The <c>rabbitmq-server</c> script we started and signal. It stays in between to turn SIGTERM into a clean
    /// node shutdown; the Erlang VM (<c>beam.smp</c>) is its child.
    /// </summary>
    public int ProcessId => _node.Pid;

    /// <summary>Generated on first use of the data directory and kept there (credentials.json).</summary>
    public string UserName => _credentials.UserName;

    /// <summary>Generated on first use of the data directory and kept there (credentials.json).</summary>
    public string Password => _credentials.Password;

    /// <summary>The Erlang node name, e.g. <c>hrms-1a2b3c4d5e@localhost</c>: kept with the credentials.</summary>
    public string NodeName => _credentials.NodeName;

    /// <summary>The Erlang distribution port (for rabbitmqctl), picked afresh on every start.</summary>
    public int DistributionPort { get; }

    /// <summary>The node's private epmd port, picked afresh on every start.</summary>
    public int EpmdPort => _epmd.Port;

    /// <summary>In the form Aspire hands to services: <c>amqp://user:password@127.0.0.1:PORT</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture,
        $"amqp://{Uri.EscapeDataString(UserName)}:{Uri.EscapeDataString(Password)}@{Host}:{Port}");

    /// <summary>
    /// Starts a node on <see cref="RabbitMqServerOptions.DataDirectory"/>, creating its database on first use
    /// (and installing the <c>rabbitmq-server</c> package first if it is missing and we are root on
    /// Debian/Ubuntu). Returns once an AMQP login with the generated credentials succeeds (~5 s).
    /// </summary>
    public static Task<RabbitMqServer> StartAsync(RabbitMqServerOptions options, CancellationToken ct = default) =>
        StartAsync(options, temporaryDataDirectory: null, ct);

    /// <summary>For tests: a node on a fresh directory under the system temp directory, deleted on dispose.</summary>
    public static Task<RabbitMqServer> StartTemporaryAsync(Action<string>? log = null, CancellationToken ct = default) =>
        ServerLaunch.InTemporaryDirectoryAsync("hrms-rabbitmq-", directory =>
            StartAsync(new RabbitMqServerOptions { DataDirectory = directory, Log = log }, directory, ct));

    /// <summary>
    /// SIGTERM (the script asks the node to stop cleanly, ~1-3 s), up to 30 s, then SIGKILL of the script and
    /// everything under it. Then the Erlang VM if the script was killed before and left it running, then epmd.
    /// Idempotent.
    /// </summary>
    public ValueTask DisposeAsync() => _shutdown.RunAsync();

    private static async Task<RabbitMqServer> StartAsync(RabbitMqServerOptions options, string? temporaryDataDirectory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ServerLaunch.RequireLinux("RabbitMQ");
        var log = options.Log ?? (_ => { });
        var binaries = await RabbitMqBinaries.LocateOrInstallAsync(log, ct);

        var directory = new RabbitMqDataDirectory(options.DataDirectory);
        var directoryLock = DataDirectoryLock.Acquire(directory);
        Epmd? epmd = null;
        try
        {
            directory.Prepare();
            var credentials = LoadCredentials(directory);
            await LeftoverNode.StopIfRunningAsync(directory, credentials.NodeName, log);
            if (options.Port != 0)
            {
                ThrowIfPortInUse(options.Port);
            }
            epmd = await Epmd.StartAsync(binaries.Epmd, directory.HomeDirectory, log, ct);
            var (node, ports) = await StartNodeAsync(binaries, directory, credentials, epmd, options, ct);
            var server = new RabbitMqServer(node, epmd, directoryLock, ports, credentials, directory, temporaryDataDirectory, log);
            server._shutdown.ReportUnexpectedExit(node, "rabbitmq: the node", log);
            return server;
        }
        catch
        {
            if (epmd is not null)
            {
                await epmd.DisposeAsync();
            }
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Starts the node and waits until it accepts our login; on a port race, tries again with other ports.</summary>
    private static async Task<(ChildProcess Node, RabbitMqPorts Ports)> StartNodeAsync(
        RabbitMqBinaries binaries, RabbitMqDataDirectory directory, RabbitMqCredentials credentials, Epmd epmd,
        RabbitMqServerOptions options, CancellationToken ct)
    {
        var log = options.Log ?? (_ => { });
        for (var attempt = 1; ; attempt++)
        {
            var ports = RabbitMqPorts.Pick(options.Port, epmd.Port);
            RabbitMqConfigFile.Write(directory, ports.Amqp, credentials);
            var firstBoot = !directory.HasDatabaseOf(credentials.NodeName);
            log($"rabbitmq: starting node {credentials.NodeName} on 127.0.0.1:{ports.Amqp} " +
                $"(distribution {ports.Distribution}, epmd {ports.Epmd}) with data directory {directory.Root}" +
                (firstBoot ? " (first boot: creating its database)" : ""));
            var started = Stopwatch.StartNew();
            var node = ChildProcess.Start(new ChildProcessOptions
            {
                Name = "rabbitmq-server",
                FileName = binaries.Server,
                Environment = RabbitMqEnvironment.Build(directory, credentials, ports),
                WorkingDirectory = directory.Root,
                Output = options.Log,
                StopSignal = StopSignal.Terminate,
                StopTimeout = TimeSpan.FromSeconds(30),
            });
            try
            {
                await RabbitMqReadiness.WaitAsync(node, ports.Amqp, credentials, ct);
                log($"rabbitmq: ready on 127.0.0.1:{ports.Amqp} (pid {node.Pid}) in {started.Elapsed.TotalSeconds:0.0} s");
                return (node, ports);
            }
            catch (PortTakenException) when (attempt < PortAttempts && options.Port == 0)
            {
                log("rabbitmq: a port was taken before the node bound it; trying others");
                await node.DisposeAsync();
            }
            catch (PortTakenException taken)
            {
                await node.DisposeAsync();
                throw new InvalidOperationException(
                    $"RabbitMQ could not listen on 127.0.0.1:{ports.Amqp} or on its distribution port {ports.Distribution}: " +
                    $"the address is already in use. {taken.Message}", taken);
            }
            catch
            {
                await node.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>A database without its credentials cannot be used: its default user was made with the lost password.</summary>
    private static RabbitMqCredentials LoadCredentials(RabbitMqDataDirectory directory)
    {
        if (directory.HasDatabase && !File.Exists(directory.CredentialsFile))
        {
            throw new InvalidOperationException(
                $"'{directory.MnesiaBase}' holds a RabbitMQ database but '{directory.CredentialsFile}' with its node name " +
                "and password is missing. Restore that file or delete the data directory to start afresh.");
        }
        var credentials = RabbitMqCredentials.LoadOrCreate(directory.CredentialsFile);
        if (directory.HasDatabase && !directory.HasDatabaseOf(credentials.NodeName))
        {
            throw new InvalidOperationException(
                $"'{directory.MnesiaBase}' holds the database of another node than {credentials.NodeName}, the one named " +
                $"in '{directory.CredentialsFile}'. Restore that file or delete the data directory to start afresh.");
        }
        return credentials;
    }

    /// <summary>A fixed port that is taken fails now, rather than after the ~5 s the node needs to reach its listener.</summary>
    private static void ThrowIfPortInUse(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new InvalidOperationException($"RabbitMQ could not listen on 127.0.0.1:{port}: the address is already in use.", e);
        }
    }

    private async Task StopAndCleanUpAsync()
    {
        await _node.DisposeAsync();
        if (_vm is { IsRunning: true })
        {
            _log($"rabbitmq: the Erlang VM (pid {_vm.Pid}) outlived its rabbitmq-server script; stopping it");
            await _vm.StopAsync();
        }
        await ErlangVm.StopStragglersAsync(_directory, StragglerGrace);
        await _epmd.DisposeAsync(); // last: the node talks to it until it is gone
        _directoryLock.Dispose();
        if (_temporaryDataDirectory is not null)
        {
            Directory.Delete(_temporaryDataDirectory, recursive: true);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using HrmsAttendance.Hosting.PrivateServers;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Redis;

/// <summary>
/// A private Redis server run from Debian's <c>redis-server</c> as a child process of this host, listening on
/// 127.0.0.1 only, password required, nothing persisted. Stands in for Aspire's Redis resource.
/// Start it with <see cref="StartAsync"/>, hand <see cref="ConnectionString"/> to the services, dispose to stop it.
/// </summary>
public sealed class RedisServer : IAsyncDisposable, IPrivateServer
{
    private const int PortAttempts = 5;

    private readonly ChildProcess _process;
    private readonly string? _temporaryDataDirectory;
    private readonly ServerShutdown _shutdown;

    private RedisServer(ChildProcess process, int port, string password, string? temporaryDataDirectory)
    {
        _process = process;
        Port = port;
        Password = password;
        _temporaryDataDirectory = temporaryDataDirectory;
        _shutdown = new ServerShutdown(StopAndCleanUpAsync);
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public int ProcessId => _process.Pid;

    /// <summary>Generated on first use of the data directory and kept there (credentials.json).</summary>
    public string Password { get; }

    /// <summary>In the StackExchange.Redis form Aspire hands to services: <c>127.0.0.1:PORT,password=PW</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port},password={Password}");

    /// <summary>
    /// Starts a server on <see cref="RedisServerOptions.DataDirectory"/> (installing the <c>redis-server</c>
    /// package first if it is missing and we are root on Debian/Ubuntu). Returns once it answers AUTH + PING.
    /// </summary>
    public static Task<RedisServer> StartAsync(RedisServerOptions options, CancellationToken ct = default) =>
        StartAsync(options, temporaryDataDirectory: null, ct);

    /// <summary>For tests: a server on a fresh directory under the system temp directory, deleted on dispose.</summary>
    public static Task<RedisServer> StartTemporaryAsync(Action<string>? log = null, CancellationToken ct = default) =>
        ServerLaunch.InTemporaryDirectoryAsync("hrms-redis-", directory =>
            StartAsync(new RedisServerOptions { DataDirectory = directory, Log = log }, directory, ct));

    /// <summary>SIGTERM (Redis saves nothing and exits), up to 10 s, then SIGKILL. Idempotent.</summary>
    public ValueTask DisposeAsync() => _shutdown.RunAsync();

    private static async Task<RedisServer> StartAsync(RedisServerOptions options, string? temporaryDataDirectory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ServerLaunch.RequireLinux("Redis");
        var log = options.Log ?? (_ => { });
        var redisServer = await RedisInstallation.LocateOrInstallAsync(log, ct);

        var directory = new RedisDataDirectory(options.DataDirectory);
        directory.Prepare();
        var credentials = RedisCredentials.LoadOrCreate(directory.CredentialsFile);

        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? options.Port : LoopbackPort.PickFree();
            RedisConfigFile.Write(directory, port, credentials.Password);
            log($"redis: starting Redis on 127.0.0.1:{port} with data directory {directory.Root}");
            var started = Stopwatch.StartNew();
            var process = ChildProcess.Start(new ChildProcessOptions
            {
                Name = "redis-server",
                FileName = redisServer,
                Arguments = [directory.ConfigFile],
                WorkingDirectory = directory.Root,
                Output = options.Log,
                StopSignal = StopSignal.Terminate,
                StopTimeout = TimeSpan.FromSeconds(10),
            });
            var server = new RedisServer(process, port, credentials.Password, temporaryDataDirectory);
            try
            {
                await RedisReadiness.WaitAsync(process, port, credentials.Password, ct);
                log($"redis: ready on 127.0.0.1:{port} (pid {process.Pid}) in {started.ElapsedMilliseconds} ms");
                server._shutdown.ReportUnexpectedExit(process, "redis: the server", log);
                return server;
            }
            catch (PortTakenException) when (options.Port == 0 && attempt < PortAttempts)
            {
                log($"redis: port {port} was taken before the server bound it; trying another");
                await process.DisposeAsync();
            }
            catch (PortTakenException taken)
            {
                await process.DisposeAsync();
                throw new InvalidOperationException(
                    $"Redis could not listen on 127.0.0.1:{port}: the address is already in use. {taken.Message}", taken);
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    private async Task StopAndCleanUpAsync()
    {
        await _process.DisposeAsync();
        if (_temporaryDataDirectory is not null)
        {
            Directory.Delete(_temporaryDataDirectory, recursive: true);
        }
    }
}

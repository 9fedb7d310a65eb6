using System.Collections.Concurrent;
using HrmsAttendance.Hosting.PrivateServers;
using HrmsAttendance.Hosting.Processes;
using Npgsql;

namespace HrmsAttendance.Hosting.Postgres;

/// <summary>
/// A private PostgreSQL server run from Debian's binaries as a child process of this host, listening on
/// 127.0.0.1 only. Stands in for Aspire's PostgreSQL resource. Start it with <see cref="StartAsync"/>,
/// give each service its own database and roles with <see cref="EnsureDatabaseAsync"/>, dispose to stop it.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable, IPrivateServer
{
    public const string SuperuserName = "postgres";

    private const int PortAttempts = 5;

    private readonly ChildProcess _process;
    private readonly PostgresCredentials _credentials;
    private readonly string _socketDirectory;
    private readonly string? _temporaryDataDirectory;
    private readonly SemaphoreSlim _provisioning = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _issuedConnectionStrings = new();
    private readonly ServerShutdown _shutdown;

    private PostgresServer(ChildProcess process, int port, PostgresCredentials credentials, string socketDirectory, string? temporaryDataDirectory)
    {
        _process = process;
        Port = port;
        _credentials = credentials;
        _socketDirectory = socketDirectory;
        _temporaryDataDirectory = temporaryDataDirectory;
        _shutdown = new ServerShutdown(StopAndCleanUpAsync);
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public int ProcessId => _process.Pid;

    /// <summary>
    /// Starts a server on <see cref="PostgresServerOptions.DataDirectory"/>, creating the cluster on first use
    /// (and installing the <c>postgresql</c> package first if it is missing and we are root on Debian/Ubuntu).
    /// Returns once the server answers <c>SELECT 1</c> over TCP.
    /// </summary>
    public static Task<PostgresServer> StartAsync(PostgresServerOptions options, CancellationToken ct = default) =>
        StartAsync(options, temporaryDataDirectory: null, ct);

    /// <summary>
    /// For tests: a server on a fresh directory under the system temp directory, deleted on dispose.
    /// </summary>
    public static Task<PostgresServer> StartTemporaryAsync(Action<string>? log = null, CancellationToken ct = default) =>
        ServerLaunch.InTemporaryDirectoryAsync("hrms-pg-", directory =>
            StartAsync(new PostgresServerOptions { DataDirectory = directory, Log = log }, directory, ct));

    public string SuperuserConnectionString(string database = "postgres") =>
        ConnectionString(database, SuperuserName, _credentials.SuperuserPassword);

    /// <summary>The superuser's: what the AppHost publishes for the server resource (its databases publish their own roles').</summary>
    string IPrivateServer.ConnectionString => SuperuserConnectionString();

    /// <summary>
    /// Makes sure <paramref name="database"/> exists, owned by <paramref name="ownerRole"/>, and that the owner
    /// and every login role exist as LOGIN NOSUPERUSER NOBYPASSRLS roles with their generated passwords.
    /// Only the owner and the login roles may connect; PUBLIC gets nothing on the database nor on schema public.
    /// Idempotent: run it again (with more roles, after a restart) and it adds what is missing.
    /// </summary>
    public async Task<PostgresDatabase> EnsureDatabaseAsync(
        string database, string ownerRole, IReadOnlyList<string> loginRoles, CancellationToken ct = default)
    {
        SqlIdentifier.Validate(database, nameof(database));
        SqlIdentifier.ValidateAppRole(ownerRole, nameof(ownerRole));
        ArgumentNullException.ThrowIfNull(loginRoles);
        foreach (var role in loginRoles)
        {
            SqlIdentifier.ValidateAppRole(role, nameof(loginRoles));
        }
        string[] roles = [.. new[] { ownerRole }.Concat(loginRoles).Distinct(StringComparer.Ordinal)];

        await _provisioning.WaitAsync(ct);
        try
        {
            var passwords = _credentials.EnsureRolePasswords(roles);
            await using (var superuser = await OpenSuperuserAsync("postgres", ct))
            {
                foreach (var role in roles)
                {
                    await DatabaseProvisioner.EnsureLoginRoleAsync(superuser, role, passwords[role], ct);
                }
                await DatabaseProvisioner.EnsureDatabaseAsync(superuser, database, ownerRole, ct);
                await DatabaseProvisioner.RestrictConnectAsync(superuser, database, loginRoles, ct);
            }
            await using (var superuserInDatabase = await OpenSuperuserAsync(database, ct))
            {
                await DatabaseProvisioner.LockDownPublicSchemaAsync(superuserInDatabase, ct);
            }
            return new PostgresDatabase(database, ownerRole,
                roles.ToDictionary(role => role, role => ConnectionString(database, role, passwords[role])));
        }
        finally
        {
            _provisioning.Release();
        }
    }

    /// <summary>Fast shutdown (SIGINT), up to 10 s, then SIGKILL. Idempotent.</summary>
    public ValueTask DisposeAsync() => _shutdown.RunAsync();

    private static async Task<PostgresServer> StartAsync(PostgresServerOptions options, string? temporaryDataDirectory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ServerLaunch.RequireLinux("PostgreSQL");
        var log = options.Log ?? (_ => { });
        var binaries = await PostgresInstallation.LocateOrInstallAsync(log, ct);
        var osUser = PostgresOsUser.ForThisProcess();

        var directory = new PostgresDataDirectory(options.DataDirectory);
        directory.Prepare(osUser);
        if (directory.HasCluster && !File.Exists(directory.CredentialsFile))
        {
            throw new InvalidOperationException(
                $"'{directory.ClusterDirectory}' holds a cluster but '{directory.CredentialsFile}' with its passwords " +
                "is missing. Restore that file or delete the data directory to start afresh.");
        }
        var credentials = PostgresCredentials.LoadOrCreate(directory.CredentialsFile);
        await PostgresCluster.EnsureInitializedAsync(directory, binaries, osUser, credentials, log, ct);

        var socketDirectory = await CreateSocketDirectoryAsync(osUser, ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var port = options.Port != 0 ? options.Port : LoopbackPort.PickFree();
                var args = PostgresCommandLine.Build(directory.ClusterDirectory, port, socketDirectory, options.Settings);
                log($"postgres: starting PostgreSQL {binaries.MajorVersion} on 127.0.0.1:{port}");
                var process = ChildProcess.Start(osUser.Command("postgres", binaries.Postgres, args, options.Log));
                var server = new PostgresServer(process, port, credentials, socketDirectory, temporaryDataDirectory);
                try
                {
                    await PostgresReadiness.WaitAsync(process, server.SuperuserConnectionString(), ct);
                    log($"postgres: ready on 127.0.0.1:{port} (pid {process.Pid})");
                    server._shutdown.ReportUnexpectedExit(process, "postgres: the server", log);
                    return server;
                }
                catch (PortTakenException) when (options.Port == 0 && attempt < PortAttempts)
                {
                    log($"postgres: port {port} was taken before the server bound it; trying another");
                    await process.DisposeAsync();
                }
                catch (PortTakenException taken)
                {
                    await process.DisposeAsync();
                    throw new InvalidOperationException(
                        $"PostgreSQL could not listen on 127.0.0.1:{port}: the address is already in use. {taken.Message}", taken);
                }
                catch
                {
                    await process.DisposeAsync();
                    throw;
                }
            }
        }
        catch
        {
            Directory.Delete(socketDirectory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// The Unix socket lives in a short private path under /tmp: socket paths are limited to ~107 bytes, which a
    /// deep data directory could exceed. Only the server user can enter it, which makes local "trust" auth safe.
    /// </summary>
    private static async Task<string> CreateSocketDirectoryAsync(PostgresOsUser osUser, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("hrms-pg-sock-").FullName; // mode 700
        await osUser.TakeOwnershipAsync(directory, ct);
        return directory;
    }

    private async Task<NpgsqlConnection> OpenSuperuserAsync(string database, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(SuperuserConnectionString(database)) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private string ConnectionString(string database, string username, string password)
    {
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = database,
            Username = username,
            Password = password,
        }.ConnectionString;
        _issuedConnectionStrings.TryAdd(connectionString, 0);
        return connectionString;
    }

    private async Task StopAndCleanUpAsync()
    {
        await _process.DisposeAsync();

        // Idle pooled connections to a stopped server are dead; drop them so a server restarted on the same
        // port is not handed broken connections.
        foreach (var connectionString in _issuedConnectionStrings.Keys)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }

        Directory.Delete(_socketDirectory, recursive: true);
        if (_temporaryDataDirectory is not null)
        {
            Directory.Delete(_temporaryDataDirectory, recursive: true);
        }
    }
}

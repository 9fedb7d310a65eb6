using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using HrmsAttendance.Hosting.LocalServers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aspire.Hosting;

/// <summary>Adds PostgreSQL servers and databases that run from Debian's <c>postgresql</c> package, without containers.</summary>
public static class LocalPostgresBuilderExtensions
{
    /// <summary>
    /// Adds a PostgreSQL server listening on 127.0.0.1:<paramref name="port"/> (a free port when null). Its cluster is
    /// created with <c>initdb</c> on first start; <c>WaitFor</c> waits until it accepts the superuser's password.
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(this IDistributedApplicationBuilder builder,
        [ResourceName] string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var server = new LocalPostgresServerResource(name, LocalServerBuilderExtensions.DefaultDataDirectory(builder, name));

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => server.GetConnectionString("postgres"), name: healthCheckKey);

        // Aspire's own Postgres integration creates its databases the same way: once the server is ready.
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (@event, ct) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
            await CreateDatabasesAsync(server, logger, ct);
            // DCP only runs the server: the database resources' state is ours to publish. Running lets their health
            // checks (the database accepts a connection) decide when they are healthy.
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == server))
            {
                await notifications.PublishUpdateAsync(database, snapshot => snapshot with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            }
        });

        return LocalServerBuilderExtensions.AddLocalServer(builder, server, port, healthCheckKey, InitialiseAsync)
            .WithArgs(context =>
            {
                // DCP stops an executable with SIGTERM, which is Postgres's "smart" shutdown: it waits for every client
                // to disconnect, and connection pools keep theirs open, so DCP ends up killing it. This small shell
                // turns SIGTERM into SIGINT, the "fast" shutdown (open transactions rolled back, exits in < 1 s).
                context.Args.Add("-c");
                context.Args.Add("trap 'kill -INT $pid 2>/dev/null' TERM INT HUP; \"$@\" & pid=$!; "
                    + "while kill -0 $pid 2>/dev/null; do wait $pid; status=$?; done; exit $status");
                context.Args.Add("postgres-fast-stop");
                var binDirectory = LocalPostgresServerResource.FindBinDirectory() ?? LocalPostgresServerResource.DefaultBinDirectory;
                if (LocalServerFiles.IsRoot)
                {
                    context.Args.Add("/usr/bin/setpriv");
                    context.Args.Add("--reuid=postgres");
                    context.Args.Add("--regid=postgres");
                    context.Args.Add("--init-groups");
                }
                context.Args.Add(Path.Combine(binDirectory, "postgres"));
                context.Args.Add("-D");
                context.Args.Add(server.ClusterDirectory);
                context.Args.Add("-p");
                context.Args.Add(server.AllocatedPort.ToString(CultureInfo.InvariantCulture));
                context.Args.Add("-k");
                context.Args.Add(server.SocketDirectory);
                // Loopback only; room for every service's pool plus concurrent tests (the default 100 is tight).
                // Checkpoints by time, as on a production server, not every 1 GB of WAL: a bulk import writes ~1 MB of
                // WAL per 1,000 punches, so the default max_wal_size checkpointed every few seconds ("checkpoints are
                // occurring too frequently"), and each checkpoint makes the next write of every page log it whole
                // (bench/PunchLedger.Benchmarks/README.md, 2026-12-04 (late)). The WAL only grows that far when written.
                foreach (var setting in new[]
                         {
                             "listen_addresses=127.0.0.1", "max_connections=200", "shared_buffers=128MB",
                             "max_wal_size=8GB", "checkpoint_timeout=15min",
                         })
                {
                    context.Args.Add("-c");
                    context.Args.Add(setting);
                }
            });
    }

    /// <summary>
    /// Adds a database on the server, created (if missing) when the server becomes ready. Healthy once it exists
    /// and accepts a connection.
    /// </summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresServerResource> builder,
        [ResourceName] string name, string? databaseName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.AddDatabase(name, database.DatabaseName);

        var healthCheckKey = $"{name}_check";
        builder.ApplicationBuilder.Services.AddHealthChecks()
            .AddNpgSql(_ => builder.Resource.GetConnectionString(database.DatabaseName), name: healthCheckKey);

        return builder.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "LocalPostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new(CustomResourceKnownProperties.Source, database.DatabaseName)],
            })
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    private static async Task InitialiseAsync(LocalPostgresServerResource server, ILogger logger, CancellationToken ct)
    {
        var binDirectory = await LocalServerFiles.LocateOrInstallAsync("postgresql", LocalPostgresServerResource.FindBinDirectory,
            "PostgreSQL (/usr/lib/postgresql/<version>/bin/postgres)", logger, ct);

        Directory.CreateDirectory(server.ClusterDirectory);
        Directory.CreateDirectory(server.SocketDirectory);
        if (LocalServerFiles.IsRoot)
        {
            EnsureTraversable(server.DataDirectory);
            await LocalServerFiles.RunAsync("/bin/chown", ["postgres:postgres", server.ClusterDirectory, server.SocketDirectory], logger, ct);
        }
        File.SetUnixFileMode(server.ClusterDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(server.SocketDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        if (File.Exists(Path.Combine(server.ClusterDirectory, "PG_VERSION")))
        {
            return;
        }
        // No cluster, or what an interrupted initdb left: start over.
        foreach (var entry in Directory.EnumerateFileSystemEntries(server.ClusterDirectory))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
        // initdb reads the superuser's password from a file the postgres user can read: put it in the socket directory.
        var passwordFile = Path.Combine(server.SocketDirectory, "initdb-password");
        LocalServerFiles.WritePrivate(passwordFile, server.Credentials.Get("password") + "\n");
        try
        {
            string[] initdb = [Path.Combine(binDirectory, "initdb"), "-N", "-D", server.ClusterDirectory, "-U", server.UserName,
                "--auth-local=trust", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C.UTF-8"];
            if (LocalServerFiles.IsRoot)
            {
                await LocalServerFiles.RunAsync("/bin/chown", ["postgres:postgres", passwordFile], logger, ct);
                await LocalServerFiles.RunAsync("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", .. initdb], logger, ct);
            }
            else
            {
                await LocalServerFiles.RunAsync(initdb[0], initdb[1..], logger, ct);
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>The postgres user must be able to reach the data directory through every parent directory.</summary>
    private static void EnsureTraversable(string directory)
    {
        for (var parent = Path.GetDirectoryName(directory); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (!File.GetUnixFileMode(parent).HasFlag(UnixFileMode.OtherExecute))
            {
                throw new InvalidOperationException(
                    $"The postgres user cannot reach the data directory {directory}: {parent} is not traversable by others (chmod o+x {parent}), or choose another directory with WithDataDirectory.");
            }
        }
    }

    private static async Task CreateDatabasesAsync(LocalPostgresServerResource server, ILogger logger, CancellationToken ct)
    {
        if (server.Databases.Count == 0)
        {
            return;
        }
        await using var connection = new NpgsqlConnection(server.GetConnectionString("postgres"));
        await connection.OpenAsync(ct);
        foreach (var databaseName in server.Databases.Values)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
            exists.Parameters.AddWithValue(databaseName);
            if (await exists.ExecuteScalarAsync(ct) is not null)
            {
                continue;
            }
            logger.LogInformation("Creating database {Database}", databaseName);
            var quoted = "\"" + databaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }
}

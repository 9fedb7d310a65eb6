using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace HrmsAttendance.Hosting.LocalServers;

/// <summary>
/// A running local Postgres for integration tests, in an Aspire app of its own:
/// <code>
/// await using var postgres = await LocalPostgresForTests.StartAsync(DistributedApplicationTestingBuilder.Create(), "ledger");
/// await using var connection = new NpgsqlConnection(postgres.ConnectionString);
/// </code>
/// The test project must be able to start DCP: see README.md ("Tests").
/// </summary>
public sealed class LocalPostgresForTests : IAsyncDisposable
{
    private readonly string? _ownedDirectory;

    private LocalPostgresForTests(DistributedApplication app, string connectionString, string dataDirectory, string? ownedDirectory)
    {
        App = app;
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
        _ownedDirectory = ownedDirectory;
    }

    /// <summary>The app running the server (resource <c>postgres</c>, and the database resource when one was asked for).</summary>
    public DistributedApplication App { get; }

    /// <summary>The superuser's connection string (Npgsql format), with <c>Database=</c> the database asked for, else <c>postgres</c>.</summary>
    public string ConnectionString { get; }

    public string DataDirectory { get; }

    /// <summary>
    /// Adds a Postgres server (and <paramref name="databaseName"/>, created, when given) to <paramref name="builder"/>
    /// — typically <c>DistributedApplicationTestingBuilder.Create()</c> — builds and starts the app and waits until the
    /// server (or the database) is healthy. Without <paramref name="dataDirectory"/> a temporary one is used and
    /// deleted on dispose. About 4–7 s on a 2-core machine (initdb included); dispose ~1.5 s.
    /// </summary>
    public static async Task<LocalPostgresForTests> StartAsync(IDistributedApplicationBuilder builder, string? databaseName = null,
        string? dataDirectory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var ownedDirectory = dataDirectory is null
            ? Path.Combine("/tmp", "hrms-local-postgres", Guid.NewGuid().ToString("N")[..12])
            : null;
        dataDirectory ??= ownedDirectory!;
        if (ownedDirectory is not null)
        {
            // Every parent must be traversable by the postgres user: /tmp is, a private temp directory might not be.
            Directory.CreateDirectory(Path.GetDirectoryName(ownedDirectory)!);
        }

        var server = builder.AddLocalPostgres("postgres").WithDataDirectory(dataDirectory);
        IResourceWithConnectionString target = databaseName is null ? server.Resource : server.AddDatabase(databaseName).Resource;

        var app = builder.Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(target.Name, timeout.Token);
            var connectionString = await target.GetConnectionStringAsync(timeout.Token)
                ?? throw new InvalidOperationException("The Postgres resource has no connection string.");
            if (databaseName is null)
            {
                connectionString += ";Database=postgres";
            }
            return new LocalPostgresForTests(app, connectionString, dataDirectory, ownedDirectory);
        }
        catch
        {
            await app.DisposeAsync();
            DeleteDirectory(ownedDirectory);
            throw;
        }
    }

    /// <summary>Stops the server (the app) and deletes the temporary data directory, if it made one.</summary>
    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        DeleteDirectory(_ownedDirectory);
    }

    private static void DeleteDirectory(string? directory)
    {
        if (directory is not null && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

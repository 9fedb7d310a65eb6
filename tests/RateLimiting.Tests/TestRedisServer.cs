using Aspire.Hosting;
using Aspire.Hosting.Testing;
using StackExchange.Redis;

namespace HrmsAttendance.RateLimiting.Tests;

/// <summary>
/// A private redis-server for a test: the AppHost's own local-server resource (hosting-integrations/LocalServers) run by an Aspire
/// test app. Disposing stops it; <see cref="StartAsync"/> again on the same data directory and port brings "the same"
/// Redis back (same password), as after a restart.
/// </summary>
public sealed class TestRedisServer : IAsyncDisposable
{
    private const string ResourceName = "redis";
    private readonly DistributedApplication _app;
    private readonly string? _temporaryDirectory;

    private TestRedisServer(DistributedApplication app, string connectionString, string? temporaryDirectory)
    {
        _app = app;
        _temporaryDirectory = temporaryDirectory;
        ConnectionString = connectionString;
        var options = ConfigurationOptions.Parse(connectionString);
        Port = ((System.Net.IPEndPoint)options.EndPoints[0]).Port;
        Password = options.Password ?? "";
    }

    public string ConnectionString { get; }
    public int Port { get; }
    public string Password { get; }

    public static Task<TestRedisServer> StartTemporaryAsync() =>
        StartAsync(Directory.CreateTempSubdirectory("hrms-test-redis-").FullName, port: null, ownsDirectory: true);

    public static Task<TestRedisServer> StartAsync(string dataDirectory, int? port = null) =>
        StartAsync(dataDirectory, port, ownsDirectory: false);

    private static async Task<TestRedisServer> StartAsync(string dataDirectory, int? port, bool ownsDirectory)
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.AddLocalRedis(ResourceName, port).WithDataDirectory(dataDirectory);
        var app = builder.Build();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // the first run may install redis-server
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(ResourceName, timeout.Token);
            var connectionString = await app.GetConnectionStringAsync(ResourceName, timeout.Token)
                ?? throw new InvalidOperationException("The redis resource has no connection string.");
            return new TestRedisServer(app, connectionString, ownsDirectory ? dataDirectory : null);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        if (_temporaryDirectory is not null)
            Directory.Delete(_temporaryDirectory, recursive: true);
    }
}

using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace HrmsAttendance.Hosting.LocalServers.Tests;

public sealed class PostgresTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDirectory = TestDirectories.Create();
    private readonly string _clientDirectory = TestDirectories.Create();

    [Fact]
    public async Task Database_is_created_and_answers_and_credentials_survive_a_second_start()
    {
        string firstConnectionString;
        var elapsed = Stopwatch.StartNew();
        await using (var app = await StartAsync())
        {
            output.WriteLine($"first start (initdb) healthy after {elapsed.ElapsedMilliseconds} ms");
            firstConnectionString = (await app.GetConnectionStringAsync("db"))!;
            Assert.Contains("Host=127.0.0.1;", firstConnectionString);
            Assert.Contains(";Database=attendance", firstConnectionString);
            await using var connection = new NpgsqlConnection(firstConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here'); SELECT current_database()", connection);
            Assert.Equal("attendance", await command.ExecuteScalarAsync());

            // A resource that references the database and waits for it gets its connection string.
            await app.ResourceNotifications.WaitForResourceAsync("client", KnownResourceStates.Running);
            var seen = Path.Combine(_clientDirectory, "seen");
            for (var attempt = 0; attempt < 100 && !File.Exists(seen); attempt++)
            {
                await Task.Delay(50);
            }
            Assert.Equal(firstConnectionString, File.ReadAllText(seen));
        }
        Assert.Empty(TestDirectories.ProcessesMentioning(_dataDirectory));

        elapsed.Restart();
        await using (var app = await StartAsync())
        {
            output.WriteLine($"second start healthy after {elapsed.ElapsedMilliseconds} ms");
            var secondConnectionString = (await app.GetConnectionStringAsync("db"))!;
            Assert.Equal(Password(firstConnectionString), Password(secondConnectionString));
            await using var connection = new NpgsqlConnection(secondConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT v FROM kept", connection);
            Assert.Equal("still here", await command.ExecuteScalarAsync());
            elapsed.Restart();
        }
        output.WriteLine($"second app disposed after {elapsed.ElapsedMilliseconds} ms");
        Assert.Empty(TestDirectories.ProcessesMentioning(_dataDirectory));

        await using (var app = await StartAsync(fresh: true))
        {
            var freshConnectionString = (await app.GetConnectionStringAsync("db"))!;
            Assert.NotEqual(Password(firstConnectionString), Password(freshConnectionString));
            await using var connection = new NpgsqlConnection(freshConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE tablename = 'kept'", connection);
            Assert.Equal(0L, await command.ExecuteScalarAsync());
        }
        Assert.Empty(TestDirectories.ProcessesMentioning(_dataDirectory));
    }

    private async Task<DistributedApplication> StartAsync(bool fresh = false)
    {
        var builder = DistributedApplicationTestingBuilder.Create();
        if (fresh)
        {
            builder.Configuration[LocalServerBuilderExtensions.FreshConfigurationKey] = "true";
        }
        var database = builder.AddLocalPostgres("pg").WithDataDirectory(_dataDirectory).AddDatabase("db", "attendance");
        builder.AddExecutable("client", "/bin/sh", _clientDirectory, "-c", "printf '%s' \"$ConnectionStrings__db\" > seen; exec sleep 300")
            .WithReference(database)
            .WaitFor(database);
        var app = await builder.BuildAsync();
        ResourceLogs.ForwardTo(app, output);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("db", timeout.Token);
        return app;
    }

    private static string Password(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Password!;

    public void Dispose()
    {
        TestDirectories.Delete(_dataDirectory);
        TestDirectories.Delete(_clientDirectory);
    }
}

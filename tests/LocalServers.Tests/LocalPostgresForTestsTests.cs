using System.Diagnostics;
using Aspire.Hosting.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace HrmsAttendance.Hosting.LocalServers.Tests;

public sealed class LocalPostgresForTestsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Gives_a_working_database_and_cleans_up_after_itself()
    {
        var elapsed = Stopwatch.StartNew();
        string dataDirectory;
        await using (var postgres = await LocalPostgresForTests.StartAsync(DistributedApplicationTestingBuilder.Create(), "ledger"))
        {
            output.WriteLine($"LocalPostgresForTests.StartAsync: database healthy after {elapsed.ElapsedMilliseconds} ms");
            dataDirectory = postgres.DataDirectory;
            await using var connection = new NpgsqlConnection(postgres.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_database() || ' ' || current_user", connection);
            Assert.Equal("ledger postgres", await command.ExecuteScalarAsync());
            elapsed.Restart();
        }
        output.WriteLine($"disposed after {elapsed.ElapsedMilliseconds} ms");
        Assert.False(Directory.Exists(dataDirectory));
        Assert.Empty(TestDirectories.ProcessesMentioning(dataDirectory));
    }
}

using System.Net.Sockets;
using HrmsAttendance.Hosting.Postgres;
using Npgsql;

namespace HrmsAttendance.Hosting.Tests.Postgres;

public class LifecycleTests
{
    [Fact]
    public async Task Restart_on_the_same_directory_keeps_data_and_passwords()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"hrms-pg-restart-{Guid.NewGuid():N}");
        try
        {
            string firstOwnerPassword, firstReaderPassword;
            await using (var first = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = dataDirectory }))
            {
                var database = await first.EnsureDatabaseAsync("kept_db", "kept_owner", ["kept_reader"]);
                await Sql.ExecuteAsync(database.OwnerConnectionString, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives')");
                firstOwnerPassword = Sql.PasswordOf(database.OwnerConnectionString);
                firstReaderPassword = Sql.PasswordOf(database.ConnectionStringFor("kept_reader"));
            }

            var credentials = Path.Combine(dataDirectory, "credentials.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials));

            var settings = new Dictionary<string, string> { ["application_name"] = "restarted" };
            await using var second = await PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = dataDirectory, Settings = settings });
            // The old password works before EnsureDatabaseAsync runs again: it is the cluster's, not re-set.
            var oldOwner = new NpgsqlConnectionStringBuilder(second.SuperuserConnectionString("kept_db"))
            {
                Username = "kept_owner",
                Password = firstOwnerPassword,
            }.ConnectionString;
            Assert.Equal("survives", await Sql.ScalarAsync<string>(oldOwner, "SELECT note FROM kept"));

            var again = await second.EnsureDatabaseAsync("kept_db", "kept_owner", ["kept_reader"]);
            Assert.Equal(firstOwnerPassword, Sql.PasswordOf(again.OwnerConnectionString));
            Assert.Equal(firstReaderPassword, Sql.PasswordOf(again.ConnectionStringFor("kept_reader")));
            Assert.Equal("restarted", await Sql.ScalarAsync<string>(second.SuperuserConnectionString(), "SHOW application_name"));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Dispose_stops_the_server_and_closes_the_port()
    {
        var server = await PostgresServer.StartTemporaryAsync();
        var pid = server.ProcessId;
        var port = server.Port;
        Assert.True(ProcessState.IsAlive(pid));
        Assert.Equal(1, await Sql.ScalarAsync<int>(server.SuperuserConnectionString(), "SELECT 1"));

        await server.DisposeAsync();
        await server.DisposeAsync(); // idempotent

        Assert.False(ProcessState.IsAlive(pid));
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task Temporary_server_removes_its_directory_on_dispose()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        string dataDirectory;
        await using (var server = await PostgresServer.StartTemporaryAsync(lines.Enqueue))
        {
            dataDirectory = lines.Select(l => l.Split(" cluster in ")).First(parts => parts.Length == 2)[1];
            Assert.True(Directory.Exists(dataDirectory));
            Assert.Contains(lines, line => line.Contains("database system is ready to accept connections"));
        }
        Assert.False(Directory.Exists(Path.GetDirectoryName(dataDirectory)));
    }
}

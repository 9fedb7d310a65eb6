using System.Diagnostics;
using HrmsAttendance.Hosting.PrivateServers;
using HrmsAttendance.Hosting.Processes;
using Npgsql;

namespace HrmsAttendance.Hosting.Postgres;

/// <summary>Ready means: <c>SELECT 1</c> over TCP as the superuser succeeds.</summary>
internal static class PostgresReadiness
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task WaitAsync(ChildProcess server, string superuserConnectionString, CancellationToken ct)
    {
        var probe = new NpgsqlConnectionStringBuilder(superuserConnectionString) { Pooling = false, Timeout = 5 }.ConnectionString;
        var elapsed = Stopwatch.StartNew();
        string lastError = "none";
        while (true)
        {
            // Race each attempt against the server's exit: a port squatter that accepts TCP but never answers
            // would otherwise hold us for the whole connect timeout.
            var attempt = SelectOneAsync(probe, ct);
            await Task.WhenAny(attempt, server.Exited);
            if (server.HasExited)
            {
                _ = attempt.ContinueWith(t => t.Exception, TaskScheduler.Default); // observe its late failure
                throw ExitedEarly(server);
            }
            try
            {
                await attempt;
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                // Either our server has the wrong password, or another server answered on "our" port
                // while ours was failing to bind it. Ours exits quickly in the second case.
                if (await server.ExitsWithinAsync(TimeSpan.FromSeconds(2)))
                {
                    throw ExitedEarly(server);
                }
                throw new InvalidOperationException(
                    "The server rejected the superuser password kept in credentials.json; the cluster and that " +
                    "file no longer belong together (delete the data directory to start afresh).", e);
            }
            catch (NpgsqlException e)
            {
                lastError = e.Message; // not listening yet, or "the database system is starting up"
            }

            if (elapsed.Elapsed > Timeout)
            {
                throw new TimeoutException(
                    $"PostgreSQL (pid {server.Pid}) did not accept connections within {Timeout.TotalSeconds:0} s. " +
                    $"Last connection error: {lastError}.{server.RecentOutput.FormatTail()}");
            }
            await Task.Delay(PollInterval, ct);
        }
    }

    private static async Task SelectOneAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(ct);
    }

    private static Exception ExitedEarly(ChildProcess server) =>
        EarlyExit.Describe(server, "PostgreSQL", "accepting connections", EarlyExit.AddressInUse);
}

using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Postgres;

/// <summary>
/// Which OS user the PostgreSQL binaries run as. initdb and postgres refuse to run as root, so a root host
/// runs them as the 'postgres' user (created by the Debian package) through <c>setpriv</c>, which execs the
/// binary: the pid we hold is the server's own. (<c>runuser</c> would stay in between and could orphan the
/// server when killed.) A non-root host runs them directly as itself.
/// </summary>
internal sealed class PostgresOsUser
{
    private const string ServerUser = "postgres";

    private PostgresOsUser(bool switchesToPostgres) => SwitchesToPostgres = switchesToPostgres;

    public bool SwitchesToPostgres { get; }

    public static PostgresOsUser ForThisProcess() => new(Environment.IsPrivilegedProcess);

    /// <summary>A command line that runs <paramref name="binary"/> as the server user.</summary>
    public ChildProcessOptions Command(string name, string binary, IEnumerable<string> arguments, Action<string>? output)
    {
        IReadOnlyList<string> argv = SwitchesToPostgres
            ? [$"--reuid={ServerUser}", $"--regid={ServerUser}", "--init-groups", binary, .. arguments]
            : [.. arguments];
        return new ChildProcessOptions
        {
            Name = name,
            FileName = SwitchesToPostgres ? "/usr/bin/setpriv" : binary,
            Arguments = argv,
            Output = output,
            StopSignal = StopSignal.Interrupt, // PostgreSQL: SIGINT = fast shutdown (SIGTERM would wait for clients)
            StopTimeout = TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>Makes the server user own a file or directory we just created (no-op when not switching users).</summary>
    public async Task TakeOwnershipAsync(string path, CancellationToken ct)
    {
        if (!SwitchesToPostgres)
        {
            return;
        }
        try
        {
            await ChildProcess.RunToCompletionAsync(new ChildProcessOptions
            {
                Name = "chown",
                FileName = "/usr/bin/chown",
                Arguments = [$"{ServerUser}:{ServerUser}", path],
            }, ct);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"Could not give '{path}' to the OS user '{ServerUser}' (does it exist? the Debian package " +
                $"'postgresql' creates it).{Environment.NewLine}{e.Message}", e);
        }
    }
}

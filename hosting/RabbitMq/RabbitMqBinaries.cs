using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// The programs Debian's <c>rabbitmq-server</c> package provides (with <c>erlang-base</c>), installing the package
/// first when they are missing and we are allowed to (root on Debian/Ubuntu).
/// </summary>
internal sealed record RabbitMqBinaries(string Server, string Epmd)
{
    private const string PackageName = "rabbitmq-server";

    // Not /usr/sbin/rabbitmq-server: that wrapper switches to the 'rabbitmq' OS user and logs to /var/log.
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string ErlangRoot = "/usr/lib/erlang";

    public static Task<RabbitMqBinaries> LocateOrInstallAsync(Action<string> log, CancellationToken ct) =>
        DebianPackage.LocateOrInstallAsync(
            PackageName,
            Locate,
            $"the RabbitMQ server script {ServerScript} and Erlang's epmd",
            "rabbitmq",
            log,
            ct);

    private static RabbitMqBinaries? Locate()
    {
        if (!File.Exists(ServerScript))
        {
            return null;
        }
        return FindEpmd() is { } epmd ? new RabbitMqBinaries(ServerScript, epmd) : null;
    }

    /// <summary>The epmd of the Erlang runtime RabbitMQ will use: /usr/lib/erlang/erts-*/bin/epmd, else /usr/bin/epmd.</summary>
    private static string? FindEpmd()
    {
        var bundled = Directory.Exists(ErlangRoot)
            ? Directory.EnumerateDirectories(ErlangRoot, "erts-*")
                .Select(erts => Path.Combine(erts, "bin", "epmd"))
                .Where(File.Exists)
                .Order(StringComparer.Ordinal)
                .LastOrDefault()
            : null;
        return bundled ?? (File.Exists("/usr/bin/epmd") ? "/usr/bin/epmd" : null);
    }
}

using System.Globalization;
using HrmsAttendance.Hosting.Services;

namespace HrmsAttendance.Hosting;

/// <summary>
/// How the AppHost runs, from its command line (and <c>APPHOST_OTLP_ENDPOINT</c>):
/// <code>
/// --data-dir DIR        where the servers keep their data (default: &lt;repo&gt;/.apphost)
/// --fresh               delete the data directory first
/// --no-build            do not build the service projects (run what is built)
/// --dashboard-port N    the dashboard's port on 127.0.0.1 (default 18888; 0 picks a free one)
/// --otlp-endpoint URL   services export telemetry there instead of to the dashboard
/// --logs                also echo every resource's console output to this console
/// </code>
/// </summary>
public sealed class DistributedApplicationOptions
{
    public const string DataDirectoryName = ".apphost";
    public const int DefaultDashboardPort = 18888;
    public const string OtlpEndpointVariable = "APPHOST_OTLP_ENDPOINT";

    public string DataDirectory { get; set; } = Path.Combine(RepositoryLayout.Root, DataDirectoryName);

    public bool Fresh { get; set; }

    public bool NoBuild { get; set; }

    public int DashboardPort { get; set; } = DefaultDashboardPort;

    /// <summary>An outside OTLP/HTTP endpoint (protobuf) the services export to, instead of the dashboard.</summary>
    public string? OtlpEndpoint { get; set; } = NullIfEmpty(Environment.GetEnvironmentVariable(OtlpEndpointVariable));

    public bool EchoResourceLogs { get; set; }

    /// <summary>True when <c>--help</c> was given: the AppHost prints <see cref="Usage"/> and starts nothing.</summary>
    public bool ShowHelp { get; set; }

    /// <summary>
    /// A command-line error found by <see cref="DistributedApplication.CreateBuilder"/>: RunAsync prints it with the
    /// usage and returns exit code 2 instead of starting anything.
    /// </summary>
    public string? CommandLineError { get; set; }

    /// <summary>Where progress, the start-up table and failures are written (the console by default).</summary>
    public Action<string> Output { get; set; } = Console.WriteLine;

    public const string Usage = """
        usage: dotnet run --project AppHost [-- options]
          --data-dir DIR        where the servers keep their data (default: <repo>/.apphost)
          --fresh               delete the data directory first (all databases, queues, passwords)
          --no-build            do not build the service projects; run what is already built
          --dashboard-port N    the dashboard's port on 127.0.0.1 (default 18888; 0 picks a free one)
          --otlp-endpoint URL   services export OTLP/HTTP there instead of to the dashboard
                                (also: APPHOST_OTLP_ENDPOINT)
          --logs                echo every resource's console output here too
        """;

    /// <summary>Reads the options above; anything else is an error that names the option.</summary>
    public static DistributedApplicationOptions Parse(IReadOnlyList<string> args)
    {
        var options = new DistributedApplicationOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new ArgumentException($"{arg} needs a value.{Environment.NewLine}{Usage}");
                return args[++i];
            }
            switch (arg)
            {
                case "--data-dir":
                    options.DataDirectory = Path.GetFullPath(Value());
                    break;
                case "--fresh":
                    options.Fresh = true;
                    break;
                case "--no-build":
                    options.NoBuild = true;
                    break;
                case "--dashboard-port":
                    var port = Value();
                    if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed > 65535)
                        throw new ArgumentException($"--dashboard-port needs a port number (0-65535), not '{port}'.");
                    options.DashboardPort = parsed;
                    break;
                case "--otlp-endpoint":
                    var endpoint = Value();
                    if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                        throw new ArgumentException($"--otlp-endpoint needs an http(s) URL, not '{endpoint}'.");
                    options.OtlpEndpoint = endpoint;
                    break;
                case "--logs":
                    options.EchoResourceLogs = true;
                    break;
                case "--help" or "-h":
                    options.ShowHelp = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{arg}'.{Environment.NewLine}{Usage}");
            }
        }
        return options;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

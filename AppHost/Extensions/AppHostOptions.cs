namespace HrmsAttendance.AppHost.Extensions;

/// <summary>
/// The AppHost's own command-line switches, turned into the configuration keys the resources read, so
/// <c>dotnet run --project AppHost -- --fresh</c> reads naturally. Everything else passes through to Aspire.
/// </summary>
public static class AppHostOptions
{
    /// <summary>Where the servers keep their data (default <c>.apphost/</c> at the repository root).</summary>
    public const string DataDirectoryKey = "AppHost:DataDirectory";

    /// <summary><c>true</c>: delete every server's data (databases, queues, generated passwords) before starting.</summary>
    public const string FreshKey = "AppHost:Fresh";

    /// <summary><c>containers</c>: the stock Aspire container resources instead of local executables.</summary>
    public const string InfrastructureKey = "AppHost:Infrastructure";

    /// <summary><c>true</c>: run the DingTalk fake with its demo driver, the connector pointed at it (<c>-- --demo</c>).</summary>
    public const string DemoKey = "AppHost:Demo";

    public static string[] Translate(string[] args)
    {
        var translated = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--fresh":
                    translated.Add($"--{FreshKey}=true");
                    break;
                case "--data-dir" when i + 1 < args.Length:
                    translated.Add($"--{DataDirectoryKey}={Path.GetFullPath(args[++i])}");
                    break;
                case "--demo":
                    translated.Add($"--{DemoKey}=true");
                    break;
                case "--containers":
                    translated.Add($"--{InfrastructureKey}=containers");
                    break;
                default:
                    translated.Add(args[i]);
                    break;
            }
        }
        return [.. translated];
    }

    /// <summary>The data directory: configured, or <c>.apphost/</c> beside the AppHost project's folder.</summary>
    public static string DataDirectory(this IDistributedApplicationBuilder builder) =>
        builder.Configuration[DataDirectoryKey] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : DefaultDataDirectory(builder.AppHostDirectory);

    public static string DefaultDataDirectory(string appHostDirectory) =>
        Path.GetFullPath(Path.Combine(appHostDirectory, "..", ".apphost"));
}

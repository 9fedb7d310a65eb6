using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.Database;

/// <summary>
/// A service's <c>migrate</c> command (<c>dotnet Service.dll migrate</c>): applies its pending
/// migrations with <c>ConnectionStrings__attendance-owner</c> (the schema owner) and exits. The
/// AppHost runs it before starting the service, which itself connects with a role that cannot
/// change the schema.
/// </summary>
public static class MigrateCommand
{
    public const string OwnerConnectionName = "attendance-owner";

    public static bool IsRequested(string[] args) => args is ["migrate", ..];

    public static async Task<int> RunAsync(string[] args, Func<string, CancellationToken, Task<IReadOnlyList<string>>> migrate)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args.Skip(1).ToArray())
            .Build();
        var connectionString = configuration.GetConnectionString(OwnerConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Console.Error.WriteLine($"migrate: set ConnectionStrings__{OwnerConnectionName} to the schema owner's connection string.");
            return 2;
        }
        var applied = await migrate(connectionString, CancellationToken.None);
        Console.WriteLine(applied.Count == 0
            ? "migrate: the schema is up to date."
            : $"migrate: applied {string.Join(", ", applied)}.");
        return 0;
    }
}

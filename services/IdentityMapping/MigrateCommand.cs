using HrmsAttendance.IdentityMapping.Database;

namespace HrmsAttendance.IdentityMapping;

/// <summary>
/// <c>dotnet run --project services/IdentityMapping -- migrate</c>: applies pending migrations using
/// <c>ConnectionStrings__attendance-owner</c> (the schema owner) and exits.
/// </summary>
internal static class MigrateCommand
{
    public const string OwnerConnectionName = "attendance-owner";

    public static async Task<int> RunAsync(string[] args)
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
        var applied = await IdentityMappingDatabase.MigrateAsync(connectionString);
        Console.WriteLine(applied.Count == 0
            ? "migrate: the schema is up to date."
            : $"migrate: applied {string.Join(", ", applied)}.");
        return 0;
    }
}

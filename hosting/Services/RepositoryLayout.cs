namespace HrmsAttendance.Hosting.Services;

/// <summary>Finds the repository (the folder holding HrmsAttendance.sln) and built service assemblies in it.</summary>
public static class RepositoryLayout
{
    public const string SolutionFile = "HrmsAttendance.sln";

    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The built assembly of a service project, e.g. ("services/PunchLedger", "PunchLedger"):
    /// the newest of its Debug/Release builds, so tests and the AppHost run what was just built.
    /// </summary>
    public static string ServiceAssembly(string projectDirectory, string assemblyName)
    {
        var candidates = new[] { "Debug", "Release" }
            .Select(config => Path.Combine(Root, projectDirectory, "bin", config, "net10.0", assemblyName + ".dll"))
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .ToList();
        return candidates.FirstOrDefault() ?? throw new FileNotFoundException(
            $"{assemblyName}.dll is not built: run `dotnet build` first (looked under {projectDirectory}/bin).");
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                    return dir.FullName;
        }
        throw new DirectoryNotFoundException($"Could not find {SolutionFile} above {AppContext.BaseDirectory}.");
    }
}

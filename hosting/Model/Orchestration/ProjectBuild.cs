using System.Diagnostics;
using System.Text.Json;
using HrmsAttendance.Hosting.Processes;
using HrmsAttendance.Hosting.Services;

namespace HrmsAttendance.Hosting.Orchestration;

/// <summary>
/// Builds every project of the application once, in one <c>dotnet build</c> of a generated solution filter
/// (so MSBuild builds them in parallel and restores once), while the servers start. Each project runner
/// awaits <see cref="WaitAsync"/> for its assembly path.
/// </summary>
internal sealed class ProjectBuild
{
    public const string Configuration = "Debug";

    private readonly Task _build;

    private ProjectBuild(Task build) => _build = build;

    /// <summary>With --no-build: the newest Debug/Release build already on disk.</summary>
    public static string ExistingAssembly(ProjectResource project) =>
        RepositoryLayout.ServiceAssembly(project.ProjectDirectory, project.AssemblyName);

    public static string BuiltAssembly(ProjectResource project) =>
        Path.Combine(RepositoryLayout.Root, project.ProjectDirectory, "bin", Configuration, "net10.0", project.AssemblyName + ".dll");

    public static ProjectBuild Start(IReadOnlyList<ProjectResource> projects, RunContext context, CancellationToken ct) =>
        new(Task.Run(() => BuildAsync(projects, context, ct), ct));

    /// <summary>The assembly to run once the build succeeded; throws with the compiler's errors if it failed.</summary>
    public async Task<string> WaitAsync(ProjectResource project, CancellationToken ct)
    {
        await _build.WaitAsync(ct);
        return BuiltAssembly(project);
    }

    private static async Task BuildAsync(IReadOnlyList<ProjectResource> projects, RunContext context, CancellationToken ct)
    {
        var solution = Path.Combine(RepositoryLayout.Root, RepositoryLayout.SolutionFile);
        var solutionText = await File.ReadAllTextAsync(solution, ct);
        var notInSolution = projects.Where(p => !solutionText.Replace('\\', '/').Contains(p.ProjectFile, StringComparison.Ordinal)).ToList();
        if (notInSolution.Count > 0)
            throw new InvalidOperationException(
                $"{string.Join(", ", notInSolution.Select(p => p.ProjectFile))} is not in {RepositoryLayout.SolutionFile}: " +
                $"add it with `dotnet sln add {notInSolution[0].ProjectFile}`.");

        var directory = Path.Combine(context.Options.DataDirectory, "build");
        Directory.CreateDirectory(directory);
        var filter = Path.Combine(directory, "services.slnf");
        await File.WriteAllTextAsync(filter, JsonSerializer.Serialize(new
        {
            solution = new { path = solution, projects = projects.Select(p => p.ProjectFile).ToArray() },
        }), ct);

        var names = string.Join(", ", projects.Select(p => p.Name));
        context.Print($"build: dotnet build -c {Configuration} ({names}) … (skip with --no-build)");
        var stopwatch = Stopwatch.StartNew();
        var output = new List<string>();
        void Collect(string line)
        {
            lock (output) output.Add(line);
            foreach (var project in projects) context.Logs.Add(project.Name, $"build: {line}");
        }
        try
        {
            await ChildProcess.RunToCompletionAsync(new ChildProcessOptions
            {
                Name = "dotnet build",
                FileName = "dotnet",
                // Quiet, no terminal logger, no MSBuild nodes left running after the build, and in-process (-m:1):
                // for the usual up-to-date check that is twice as fast as spawning worker nodes.
                Arguments = ["build", filter, "-c", Configuration, "-nologo", "-v", "q", "-tl:off", "-nodeReuse:false", "-m:1", "-clp:NoSummary"],
                WorkingDirectory = RepositoryLayout.Root,
                Environment = new Dictionary<string, string?>
                {
                    // Set when this host itself runs under MSBuild or `dotnet test`; the child must find its own.
                    ["MSBuildExtensionsPath"] = null,
                    ["MSBuildSDKsPath"] = null,
                    ["MSBUILD_EXE_PATH"] = null,
                    ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                },
                Output = Collect,
                StopTimeout = TimeSpan.FromSeconds(5),
            }, ct);
        }
        catch (InvalidOperationException)
        {
            List<string> errors;
            lock (output) errors = [.. output.Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().Take(20)];
            if (errors.Count == 0) lock (output) errors = [.. output.TakeLast(20)];
            throw new InvalidOperationException(
                $"dotnet build failed:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");
        }
        context.Print($"build: done in {stopwatch.Elapsed.TotalSeconds:0.0} s");
    }
}

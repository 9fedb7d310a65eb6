using System.Reflection;
using System.Runtime.ExceptionServices;

namespace HrmsAttendance.Hosting.Testing;

/// <summary>
/// Boots an AppHost's own topology in a test, like Aspire.Hosting.Testing: it runs the AppHost's entry point
/// (its Program.cs) with a private data directory, and <c>builder.Build().RunAsync()</c> hands the built
/// application back here instead of running it. The test then starts and disposes it:
/// <code>
/// await using var app = await DistributedApplicationTestingBuilder.CreateAsync&lt;Program&gt;();
/// await app.StartAsync();
/// var grpc = app.GetEndpoint("punch-ledger", "grpc");
/// </code>
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    /// <summary>
    /// Runs <typeparamref name="TEntryPoint"/>'s assembly entry point with
    /// <c>--fresh --data-dir &lt;new temp dir&gt; --dashboard-port 0 --no-build</c> followed by <paramref name="args"/>
    /// (later options win), and returns the application it built, not started. Disposing it stops everything and
    /// deletes the temporary data directory. The test project should reference the service projects, so they are
    /// built before the tests run.
    /// </summary>
    /// <param name="configure">Changes to the topology before it is built (e.g. remove or add resources' settings).</param>
    /// <param name="output">Receives the AppHost's console lines (progress, table, restarts); default: discarded.</param>
    public static async Task<DistributedApplication> CreateAsync<TEntryPoint>(
        string[]? args = null,
        Action<IDistributedApplicationBuilder>? configure = null,
        Action<string>? output = null,
        CancellationToken ct = default) where TEntryPoint : class
    {
        var entryPoint = typeof(TEntryPoint).Assembly.EntryPoint
            ?? throw new InvalidOperationException($"{typeof(TEntryPoint).Assembly.GetName().Name} has no entry point.");

        var dataDirectory = Directory.CreateTempSubdirectory("hrms-apphost-").FullName;
        string[] allArgs = ["--fresh", "--data-dir", dataDirectory, "--dashboard-port", "0", "--no-build", .. args ?? []];
        var hook = new TestingHook
        {
            ConfigureOptions = options => options.Output = output ?? (_ => { }),
            ConfigureBuilder = configure,
        };

        var main = Task.Run(() =>
        {
            TestingHook.Current = hook;
            try
            {
                var result = entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? null : [allArgs]);
                if (result is Task task) task.GetAwaiter().GetResult();
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
        }, ct);

        try
        {
            var first = await Task.WhenAny(hook.Application.Task, main).WaitAsync(TimeSpan.FromSeconds(60), ct);
            if (first == main)
            {
                await main; // throws what the entry point threw
                if (!hook.Application.Task.IsCompleted)
                    throw new InvalidOperationException(
                        $"{typeof(TEntryPoint).Assembly.GetName().Name}'s entry point returned without calling builder.Build().RunAsync().");
            }
            var application = await hook.Application.Task;
            application.DisposeActions.Add(() => Directory.Delete(dataDirectory, recursive: true));
            return application;
        }
        catch
        {
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }
    }
}

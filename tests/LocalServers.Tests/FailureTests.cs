using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HrmsAttendance.Hosting.LocalServers.Tests;

public sealed class FailureTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _privateParent = TestDirectories.Create();

    [Fact]
    public async Task A_server_that_cannot_be_prepared_fails_to_start_with_the_reason_in_its_log()
    {
        // The postgres user cannot reach a data directory below a mode-700 directory.
        File.SetUnixFileMode(_privateParent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var builder = DistributedApplicationTestingBuilder.Create();
        var postgres = builder.AddLocalPostgres("pg").WithDataDirectory(Path.Combine(_privateParent, "pg"));
        await using var app = await builder.BuildAsync();
        var lines = new ConcurrentQueue<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(postgres.Resource))
            {
                foreach (var line in batch)
                {
                    lines.Enqueue(line.Content);
                }
            }
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.StartAsync(timeout.Token);

        await app.ResourceNotifications.WaitForResourceAsync("pg", KnownResourceStates.FailedToStart, timeout.Token);

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!lines.Any(line => line.Contains("chmod o+x " + _privateParent, StringComparison.Ordinal)) && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(50);
        }
        if (!lines.Any(line => line.Contains("chmod o+x " + _privateParent, StringComparison.Ordinal)))
        {
            // On a loaded machine the watcher can subscribe after the failure was logged: read the resource's backlog.
            using var backlogTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(postgres.Resource)
                               .WithCancellation(backlogTimeout.Token))
            {
                foreach (var line in batch)
                {
                    lines.Enqueue(line.Content);
                }
            }
        }
        output.WriteLine(string.Join('\n', lines));
        Assert.Contains(lines, line => line.Contains("chmod o+x " + _privateParent, StringComparison.Ordinal));
    }

    public void Dispose() => TestDirectories.Delete(_privateParent);
}

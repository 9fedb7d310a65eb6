using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.Hosting.LocalServers.Tests;

public sealed class FailureTests : IDisposable
{
    private readonly string _privateParent = TestDirectories.Create();

    [Fact]
    public async Task A_server_that_cannot_be_prepared_fails_to_start_with_the_reason_in_its_log()
    {
        // The postgres user cannot reach a data directory below a mode-700 directory.
        File.SetUnixFileMode(_privateParent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var builder = DistributedApplicationTestingBuilder.Create();
        builder.AddLocalPostgres("pg").WithDataDirectory(Path.Combine(_privateParent, "pg"));
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.StartAsync(timeout.Token);

        await app.ResourceNotifications.WaitForResourceAsync("pg", KnownResourceStates.FailedToStart, timeout.Token);

        var lines = new List<string>();
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        using var read = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var batch in logs.WatchAsync("pg").WithCancellation(read.Token))
            {
                lines.AddRange(batch.Select(line => line.Content));
            }
        }
        catch (OperationCanceledException)
        {
        }
        Assert.Contains(lines, line => line.Contains("chmod o+x " + _privateParent, StringComparison.Ordinal));
    }

    public void Dispose() => TestDirectories.Delete(_privateParent);
}

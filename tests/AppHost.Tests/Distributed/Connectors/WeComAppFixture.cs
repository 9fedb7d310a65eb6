using System.Collections.Concurrent;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Fakes.WeCom;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// The AppHost's topology with the WeCom connector pointed at an in-process <see cref="WeComFakeServer"/>, and a second
/// replica of it (<c>wecom-connector-2</c>: the same project, its own ports), so every test here runs against two replicas
/// competing for each tenant's polls. Polls every second with a 10-minute overlap. Its own data directory and servers;
/// no dashboard.
/// </summary>
public sealed class WeComAppFixture : IAsyncLifetime
{
    public const string Connector = "wecom-connector";
    public const string SecondReplica = "wecom-connector-2";
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(10);

    public static readonly string[] HealthyResources =
        ["postgres", "attendance", "redis", "messaging", "punch-ledger", "identity-mapping", "daily-results", Connector, SecondReplica, "gateway"];

    public DistributedApplication App { get; private set; } = null!;
    public WeComFakeServer WeCom { get; private set; } = null!;
    public string DataDirectory { get; } = DistributedAppFixture.NewDataDirectory("hrms-wecom-tests-");

    public async Task InitializeAsync()
    {
        WeCom = await WeComFakeServer.StartAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--{AppHostOptions.DataDirectoryKey}={DataDirectory}", $"--{AppHostOptions.FreshKey}=true"],
            (options, _) => options.DisableDashboard = true);

        var connector = builder.CreateResourceBuilder<ProjectResource>(Connector);
        var second = builder.AddProject(SecondReplica, connector.Resource.GetProjectMetadata().ProjectPath)
            .WithReference(builder.CreateResourceBuilder(Login(connector.Resource)), connectionName: "attendance")
            .WithReference(builder.CreateResourceBuilder<IResourceWithConnectionString>("messaging"))
            .WithReference(builder.CreateResourceBuilder<IResourceWithConnectionString>("redis"))
            .WithReference(builder.CreateResourceBuilder<ProjectResource>("punch-ledger"))
            .WithReference(builder.CreateResourceBuilder<ProjectResource>("identity-mapping"))
            .WithAccessTokens(builder.CreateResourceBuilder<ParameterResource>(DevelopmentTokens.SigningKeyParameter))
            .WithEnvironment("WeCom__SettingsKey", builder.CreateResourceBuilder<ParameterResource>("wecom-settings-key"))
            .WaitForCompletion(builder.CreateResourceBuilder<ProjectResource>("migrations"))
            .WithDirectEndpoints()
            .WithHttpHealthCheck("/health", endpointName: "http");
        foreach (var replica in new[] { connector, second })
            replica.WithEnvironment("WeCom__ApiBaseUrl", WeCom.BaseUrl.ToString())
                   .WithEnvironment("WeCom__PollInterval", "00:00:01")
                   .WithEnvironment("WeCom__TenantScanInterval", "00:00:00.500")
                   .WithEnvironment("WeCom__Overlap", Overlap.ToString("c"))
                   .WithEnvironment("WeCom__LeaseDuration", "00:00:06")
                   .WithEnvironment("WeCom__MinBackoff", "00:00:00.200")
                   .WithEnvironment("WeCom__MaxBackoff", "00:00:02");

        App = await builder.BuildAsync();
        foreach (var name in new[] { Connector, SecondReplica })
            CollectLogs(name);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await App.StartAsync(timeout.Token);
            foreach (var resource in HealthyResources)
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
        catch (Exception e)
        {
            var states = string.Join(", ", HealthyResources.Select(r =>
                App.ResourceNotifications.TryGetCurrentState(r, out var state) ? $"{r}={state.Snapshot.State?.Text}/{state.Snapshot.HealthStatus}" : $"{r}=?"));
            await App.DisposeAsync();
            await WeCom.DisposeAsync();
            throw new InvalidOperationException($"The WeCom topology did not become healthy ({states}): {e.Message}{Environment.NewLine}{LogTail(Connector)}", e);
        }
    }

    private static IResourceWithConnectionString Login(ProjectResource connector) =>
        connector.Annotations.OfType<ResourceRelationshipAnnotation>().Select(r => r.Resource)
            .OfType<IResourceWithConnectionString>().First(r => r.Name == "wecom-connector-login");

    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _logs = new();

    /// <summary>The last lines a connector replica logged (for failure messages).</summary>
    public string LogTail(string resource, int lines = 60) =>
        _logs.TryGetValue(resource, out var queue) ? string.Join(Environment.NewLine, queue.TakeLast(lines)) : "";

    private void CollectLogs(string resource)
    {
        var queue = _logs.GetOrAdd(resource, _ => new());
        var loggers = App.Services.GetRequiredService<ResourceLoggerService>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in loggers.WatchAsync(resource))
                    foreach (var line in batch)
                    {
                        queue.Enqueue(line.Content);
                        while (queue.Count > 2000) queue.TryDequeue(out _);
                    }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { }
        });
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        if (WeCom is not null) await WeCom.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class WeComAppCollection : ICollectionFixture<WeComAppFixture>
{
    public const string Name = "wecom topology";
}

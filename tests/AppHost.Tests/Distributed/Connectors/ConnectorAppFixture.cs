using System.Collections.Concurrent;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Fakes.DingTalk;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// The AppHost's topology with the DingTalk connector pointed at an in-process <see cref="DingTalkFakeServer"/>, and a
/// second replica of the connector (<c>dingtalk-connector-2</c>: the same project, its own ports), so every test here
/// runs against two replicas competing for each tenant's stream. Its own data directory and servers; no dashboard.
/// </summary>
public sealed class ConnectorAppFixture : IAsyncLifetime
{
    public const string Connector = "dingtalk-connector";
    public const string SecondReplica = "dingtalk-connector-2";

    public static readonly string[] HealthyResources =
        ["postgres", "attendance", "redis", "messaging", "punch-ledger", "identity-mapping", "daily-results", Connector, SecondReplica, "gateway"];

    /// <summary>How long a replica's lease lives without renewal here (15 s by default; shorter so a take-over is quick).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(6);

    public DistributedApplication App { get; private set; } = null!;
    public DingTalkFakeServer DingTalk { get; private set; } = null!;
    public string DataDirectory { get; } = DistributedAppFixture.NewDataDirectory("hrms-connector-tests-");

    public async Task InitializeAsync()
    {
        DingTalk = await DingTalkFakeServer.StartAsync();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--{AppHostOptions.DataDirectoryKey}={DataDirectory}", $"--{AppHostOptions.FreshKey}=true"],
            (options, _) => options.DisableDashboard = true);

        var connector = builder.CreateResourceBuilder<ProjectResource>(Connector);
        // The second replica: the same project with the same references and secrets as the AppHost gives the first
        // (AppHost/Program.cs), and ports of its own.
        var second = builder.AddProject(SecondReplica, connector.Resource.GetProjectMetadata().ProjectPath)
            .WithReference(builder.CreateResourceBuilder(Login(connector.Resource)), connectionName: "attendance")
            .WithReference(builder.CreateResourceBuilder<IResourceWithConnectionString>("messaging"))
            .WithReference(builder.CreateResourceBuilder<IResourceWithConnectionString>("redis"))
            .WithReference(builder.CreateResourceBuilder<ProjectResource>("punch-ledger"))
            .WithReference(builder.CreateResourceBuilder<ProjectResource>("identity-mapping"))
            .WithAccessTokens(builder.CreateResourceBuilder<ParameterResource>(DevelopmentTokens.SigningKeyParameter))
            .WithEnvironment("DingTalk__SettingsKey", builder.CreateResourceBuilder<ParameterResource>("dingtalk-settings-key"))
            .WaitForCompletion(builder.CreateResourceBuilder<ProjectResource>("migrations"))
            .WithDirectEndpoints()
            .WithHttpHealthCheck("/health", endpointName: "http");
        foreach (var replica in new[] { connector, second })
            replica.WithEnvironment("DingTalk__OpenApiBaseUrl", DingTalk.BaseUrl.ToString())
                   .WithEnvironment("DingTalk__TenantScanInterval", "00:00:01")
                   .WithEnvironment("DingTalk__LeaseDuration", LeaseDuration.ToString("c"));

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
            await DingTalk.DisposeAsync();
            throw new InvalidOperationException($"The connector topology did not become healthy ({states}): {e.Message}{Environment.NewLine}{LogTail(Connector)}{Environment.NewLine}---- {SecondReplica}:{Environment.NewLine}{LogTail(SecondReplica)}", e);
        }
    }

    /// <summary>The first replica's database login (a login is no resource of the model: found through its reference).</summary>
    private static IResourceWithConnectionString Login(ProjectResource connector) =>
        connector.Annotations.OfType<ResourceRelationshipAnnotation>().Select(r => r.Resource)
            .OfType<IResourceWithConnectionString>().First(r => r.Name == "dingtalk-connector-login");

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
        if (DingTalk is not null) await DingTalk.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ConnectorAppCollection : ICollectionFixture<ConnectorAppFixture>
{
    public const string Name = "connector topology";
}

using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Fakes.DingTalk;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// The AppHost's topology with the DingTalk connector pointed at an in-process <see cref="DingTalkFakeServer"/>, and a
/// second replica of the connector (<c>dingtalk-connector-2</c>: the same project, its own ports), so every test here
/// runs against two replicas competing for each tenant's stream. Its own data directory and servers.
/// </summary>
public sealed class ConnectorAppFixture : IAsyncLifetime
{
    public const string Connector = "dingtalk-connector";
    public const string SecondReplica = "dingtalk-connector-2";

    public static readonly string[] HealthyResources =
        ["postgres", "attendance", "redis", "messaging", "punch-ledger", "identity-mapping", "daily-results", Connector, SecondReplica, "gateway"];

    /// <summary>How long a replica's lease lives without renewal here (15 s by default; shorter so a take-over is quick).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(6);

    /// <summary>How often the replicas sweep parked punches here (5 minutes by default).</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    public DistributedApplication App { get; private set; } = null!;
    public DingTalkFakeServer DingTalk { get; private set; } = null!;
    public string DataDirectory { get; } = DistributedAppFixture.NewDataDirectory("hrms-connector-tests-");

    public async Task InitializeAsync()
    {
        DingTalk = await DingTalkFakeServer.StartAsync();
        // With the dashboard, as DistributedAppFixture: without it the services' OTLP exporter has nowhere to flush to
        // when a test stops one (punch-ledger), and DCP gave up waiting for it to exit.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            $"--{AppHostOptions.DataDirectoryKey}={DataDirectory}",
            $"--{AppHostOptions.FreshKey}=true",
            $"--ASPNETCORE_URLS=http://127.0.0.1:{DistributedAppFixture.FreeLoopbackPort()}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{DistributedAppFixture.FreeLoopbackPort()}",
            $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{DistributedAppFixture.FreeLoopbackPort()}",
            "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
        ],
        (options, _) =>
        {
            options.DisableDashboard = false;
            options.AllowUnsecuredTransport = true;
        });

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
                   .WithEnvironment("DingTalk__LeaseDuration", LeaseDuration.ToString("c"))
                   .WithEnvironment("Connectors__Sweep__Interval", SweepInterval.ToString("c"));

        App = await builder.BuildAsync();
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
            var logs = $"{await LogTailAsync(Connector)}{Environment.NewLine}---- {SecondReplica}:{Environment.NewLine}{await LogTailAsync(SecondReplica)}";
            await App.DisposeAsync();
            await DingTalk.DisposeAsync();
            throw new InvalidOperationException($"The connector topology did not become healthy ({states}): {e.Message}{Environment.NewLine}{logs}", e);
        }
    }

    /// <summary>The first replica's database login (a login is no resource of the model: found through its reference).</summary>
    private static IResourceWithConnectionString Login(ProjectResource connector) =>
        connector.Annotations.OfType<ResourceRelationshipAnnotation>().Select(r => r.Resource)
            .OfType<IResourceWithConnectionString>().First(r => r.Name == "dingtalk-connector-login");

    /// <summary>Everything a resource logged to its console so far (from DCP).</summary>
    public async Task<IReadOnlyList<string>> LogsAsync(string resource)
    {
        var loggers = App.Services.GetRequiredService<ResourceLoggerService>();
        var model = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == resource);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var lines = new List<string>();
        await foreach (var batch in loggers.GetAllAsync(model).WithCancellation(timeout.Token))
            lines.AddRange(batch.Select(line => line.Content));
        return lines;
    }

    public async Task<string> LogTailAsync(string resource, int lines = 60)
    {
        try { return string.Join(Environment.NewLine, (await LogsAsync(resource)).TakeLast(lines)); }
        catch (Exception e) { return $"(no logs: {e.Message})"; }
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

using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Fakes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// The AppHost's topology with a connector pointed at its platform's fake (<typeparamref name="TFake"/>, in the test
/// process) and a second replica of the connector (<c>&lt;connector&gt;-2</c>: the same project, its own ports), so every
/// test runs against two replicas competing for each tenant. Its own data directory and servers, and the dashboard, as
/// <see cref="DistributedAppFixture"/>: without it the services' OTLP exporter has nowhere to flush to when a test stops
/// one (punch-ledger), and DCP gave up waiting for it to exit.
/// </summary>
public abstract class ConnectorTopologyFixture<TFake>(string connector, string settingsKeyParameter, string settingsSection)
    : IAsyncLifetime where TFake : IFakePlatform
{
    public DistributedApplication App { get; private set; } = null!;
    public TFake Fake { get; private set; } = default!;
    public string DataDirectory { get; } = DistributedAppFixture.NewDataDirectory($"hrms-{connector}-tests-");

    /// <summary>The Aspire dashboard's telemetry API (the traces the services exported).</summary>
    public DashboardTelemetry Telemetry { get; private set; } = null!;

    public string[] HealthyResources =>
        ["postgres", "attendance", "redis", "messaging", "identity", "punch-ledger", "identity-mapping", "daily-results", connector, connector + "-2", "gateway"];

    protected abstract Task<TFake> StartFakeAsync();

    /// <summary>The environment both replicas get: the fake's address and the test's shorter intervals.</summary>
    protected abstract void Configure(IResourceBuilder<ProjectResource> replica);

    public async Task InitializeAsync()
    {
        Fake = await StartFakeAsync();
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

        var first = builder.CreateResourceBuilder<ProjectResource>(connector);
        // The second replica: the same project with the same references and secrets as the AppHost gives the first
        // (AppHost/Program.cs), and ports of its own.
        var second = builder.AddProject(connector + "-2", first.Resource.GetProjectMetadata().ProjectPath)
            .WithReference(builder.CreateResourceBuilder(Login(first.Resource)), connectionName: "attendance")
            .WithReference(builder.CreateResourceBuilder<IResourceWithConnectionString>("messaging"))
            .WithReference(builder.CreateResourceBuilder<IResourceWithConnectionString>("redis"))
            .WithReference(builder.CreateResourceBuilder<ProjectResource>("punch-ledger"))
            .WithReference(builder.CreateResourceBuilder<ProjectResource>("identity-mapping"))
            .WithAccessTokens(builder.CreateResourceBuilder<ParameterResource>(DevelopmentTokens.SigningKeyParameter))
            .WithServiceClientCredentials(builder.CreateResourceBuilder<ProjectResource>("identity"), connector,
                builder.CreateResourceBuilder<ParameterResource>(IdentitySecrets.ServiceClientSecretParameter(connector)))
            .WithEnvironment($"{settingsSection}__SettingsKey", builder.CreateResourceBuilder<ParameterResource>(settingsKeyParameter))
            .WaitForCompletion(builder.CreateResourceBuilder<ProjectResource>("migrations"))
            .WithDirectEndpoints()
            .WithHttpHealthCheck("/health", endpointName: "http");
        Configure(first);
        Configure(second);

        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await App.StartAsync(timeout.Token);
            foreach (var resource in HealthyResources)
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            Telemetry = new DashboardTelemetry(App.GetEndpoint("aspire-dashboard", "http"),
                App.Services.GetRequiredService<IConfiguration>()["AppHost:DashboardApiKey"]
                ?? throw new InvalidOperationException("The AppHost made no dashboard API key (AppHost:DashboardApiKey)."));
        }
        catch (Exception e)
        {
            var states = string.Join(", ", HealthyResources.Select(r =>
                App.ResourceNotifications.TryGetCurrentState(r, out var state) ? $"{r}={state.Snapshot.State?.Text}/{state.Snapshot.HealthStatus}" : $"{r}=?"));
            var logs = $"{await LogTailAsync(connector)}{Environment.NewLine}---- {connector}-2:{Environment.NewLine}{await LogTailAsync(connector + "-2")}";
            await App.DisposeAsync();
            await Fake.DisposeAsync();
            throw new InvalidOperationException($"The {connector} topology did not become healthy ({states}): {e.Message}{Environment.NewLine}{logs}", e);
        }
    }

    /// <summary>The first replica's database login (a login is no resource of the model: found through its reference).</summary>
    private IResourceWithConnectionString Login(ProjectResource first) =>
        first.Annotations.OfType<ResourceRelationshipAnnotation>().Select(r => r.Resource)
            .OfType<IResourceWithConnectionString>().First(r => r.Name == $"{connector}-login");

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

    /// <summary>The last lines a resource logged (for failure messages).</summary>
    public async Task<string> LogTailAsync(string resource, int lines = 60)
    {
        try { return string.Join(Environment.NewLine, (await LogsAsync(resource)).TakeLast(lines)); }
        catch (Exception e) { return $"(no logs: {e.Message})"; }
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        if (Fake is not null) await Fake.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { }
    }
}

using HrmsAttendance.Fakes.WeCom;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// The topology with the WeCom connector pointed at an in-process <see cref="WeComFakeServer"/> and a second replica
/// (<c>wecom-connector-2</c>) competing for each tenant's polls. Polls every second with a 10-minute overlap.
/// </summary>
public sealed class WeComAppFixture() : ConnectorTopologyFixture<WeComFakeServer>(Connector, "wecom-settings-key", "WeCom")
{
    public const string Connector = "wecom-connector";
    public const string SecondReplica = Connector + "-2";
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(10);

    public WeComFakeServer WeCom => Fake;

    protected override Task<WeComFakeServer> StartFakeAsync() => WeComFakeServer.StartAsync();

    protected override void Configure(IResourceBuilder<ProjectResource> replica) =>
        replica.WithEnvironment("WeCom__ApiBaseUrl", WeCom.BaseUrl.ToString())
               .WithEnvironment("WeCom__PollInterval", "00:00:01")
               .WithEnvironment("WeCom__TenantScanInterval", "00:00:00.500")
               .WithEnvironment("WeCom__Overlap", Overlap.ToString("c"))
               .WithEnvironment("WeCom__LeaseDuration", "00:00:06")
               .WithEnvironment("WeCom__MinBackoff", "00:00:00.200")
               .WithEnvironment("WeCom__MaxBackoff", "00:00:02");
}

[CollectionDefinition(Name)]
public sealed class WeComAppCollection : ICollectionFixture<WeComAppFixture>
{
    public const string Name = "wecom topology";
}

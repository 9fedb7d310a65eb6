using HrmsAttendance.Fakes.DingTalk;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// The topology with the DingTalk connector pointed at an in-process <see cref="DingTalkFakeServer"/> and a second
/// replica (<c>dingtalk-connector-2</c>) competing for each tenant's stream.
/// </summary>
public sealed class DingTalkAppFixture() : ConnectorTopologyFixture<DingTalkFakeServer>(Connector, "dingtalk-settings-key", "DingTalk")
{
    public const string Connector = "dingtalk-connector";
    public const string SecondReplica = Connector + "-2";

    /// <summary>How long a replica's lease lives without renewal here (15 s by default; shorter so a take-over is quick).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(6);

    /// <summary>How often the replicas sweep parked punches here (5 minutes by default).</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    public DingTalkFakeServer DingTalk => Fake;

    protected override Task<DingTalkFakeServer> StartFakeAsync() => DingTalkFakeServer.StartAsync();

    protected override void Configure(IResourceBuilder<ProjectResource> replica) =>
        replica.WithEnvironment("DingTalk__OpenApiBaseUrl", DingTalk.BaseUrl.ToString())
               .WithEnvironment("DingTalk__TenantScanInterval", "00:00:01")
               .WithEnvironment("DingTalk__LeaseDuration", LeaseDuration.ToString("c"))
               .WithEnvironment("Connectors__Sweep__Interval", SweepInterval.ToString("c"));
}

[CollectionDefinition(Name)]
public sealed class DingTalkAppCollection : ICollectionFixture<DingTalkAppFixture>
{
    public const string Name = "connector topology";
}

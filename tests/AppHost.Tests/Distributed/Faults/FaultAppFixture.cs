namespace HrmsAttendance.AppHost.Tests.Distributed.Faults;

/// <summary>
/// A topology of its own for the fault tests (they kill and stop its processes): the same AppHost, booted the same way
/// as <see cref="DistributedAppFixture"/> on another data directory and other ports, so no other test sees a fault.
/// </summary>
public sealed class FaultAppFixture : IAsyncLifetime
{
    private readonly DistributedAppFixture topology = new();

    public DistributedApplication App => topology.App;

    public string DataDirectory => topology.DataDirectory;

    public Task InitializeAsync() => topology.InitializeAsync();

    public Task DisposeAsync() => topology.DisposeAsync();
}

/// <summary>
/// Runs alone, after the parallel collections (DisableParallelization): two topologies at once on a 2-core machine
/// would make the other tests' timings and these recovery times meaningless.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection : ICollectionFixture<FaultAppFixture>
{
    public const string Name = "faults under load";
}

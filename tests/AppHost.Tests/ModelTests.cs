using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Hosting.LocalServers;

namespace HrmsAttendance.AppHost.Tests;

/// <summary>The AppHost's model, built but not run: the same names and references whichever infrastructure runs.</summary>
public sealed class ModelTests
{
    private static readonly string[] Topology =
        ["postgres", "attendance", "redis", "messaging", "migrations", "punch-ledger", "identity-mapping", "daily-results", "gateway"];

    [Fact]
    public async Task By_default_the_servers_are_local_executables()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>();
        var resources = builder.Resources.ToDictionary(r => r.Name);

        Assert.All(Topology, name => Assert.Contains(name, resources.Keys));
        Assert.IsType<LocalPostgresServerResource>(resources["postgres"]);
        Assert.IsType<LocalPostgresDatabaseResource>(resources["attendance"]);
        Assert.IsType<LocalRedisResource>(resources["redis"]);
        Assert.IsType<LocalRabbitMQServerResource>(resources["messaging"]);
        Assert.DoesNotContain(builder.Resources, r => r is ContainerResource);
    }

    [Fact]
    public async Task With_Infrastructure_containers_the_stock_container_resources_take_the_same_names()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [$"--{AppHostOptions.InfrastructureKey}=containers"]);
        var resources = builder.Resources.ToDictionary(r => r.Name);

        Assert.All(Topology, name => Assert.Contains(name, resources.Keys));
        Assert.IsType<PostgresServerResource>(resources["postgres"]);
        Assert.IsType<PostgresDatabaseResource>(resources["attendance"]);
        Assert.IsType<RedisResource>(resources["redis"]);
        Assert.IsType<RabbitMQServerResource>(resources["messaging"]);
        Assert.DoesNotContain(builder.Resources, r => r is LocalPostgresServerResource or LocalRedisResource);

        // The services reference the same names either way.
        var gateway = (IResourceWithEnvironment)resources["gateway"];
        Assert.Contains(gateway.Annotations.OfType<ResourceRelationshipAnnotation>(), r => r.Resource.Name == "redis");
        var punchLedger = resources["punch-ledger"];
        Assert.Contains(punchLedger.Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "migrations" && w.WaitType == WaitType.WaitForCompletion);
    }

    [Fact]
    public async Task An_unknown_infrastructure_mode_is_refused_with_the_accepted_values()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
                [$"--{AppHostOptions.InfrastructureKey}=kubernetes"]);
        });
        Assert.Contains("use 'local' (the default) or 'containers'", error.ToString());
    }
}

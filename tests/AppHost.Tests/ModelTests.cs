using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Hosting.LocalServers;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests;

/// <summary>The AppHost's model, built but not run: the same names and references whichever infrastructure runs.</summary>
public sealed class ModelTests
{
    private static readonly string[] Topology =
        ["postgres", "attendance", "redis", "messaging", "migrations", "punch-ledger", "identity-mapping", "daily-results", "dingtalk-connector", "wecom-connector", "gateway", "web"];

    [Fact]
    public async Task The_web_app_calls_the_gateway_and_gets_its_client_secret_as_a_secret_parameter()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>();
        var web = builder.Resources.Single(r => r.Name == "web");
        var context = new EnvironmentCallbackContext(builder.ExecutionContext, web, new Dictionary<string, object>());
        foreach (var callback in web.Annotations.OfType<EnvironmentCallbackAnnotation>())
            await callback.Callback(context);

        var secret = Assert.IsType<ParameterResource>(context.EnvironmentVariables["Authentication__Oidc__ClientSecret"]);
        Assert.Equal(IdentitySecrets.WebClientSecretParameter, secret.Name);
        Assert.True(secret.Secret);
        Assert.Contains(context.EnvironmentVariables.Keys, key => key.StartsWith("services__gateway__grpc__", StringComparison.Ordinal));
        Assert.Contains(web.Annotations.OfType<WaitAnnotation>(), wait => wait.Resource.Name == "gateway");
        // The gateway's catch-all route to the pages exists because the gateway knows the web app's address.
        var gateway = builder.Resources.Single(r => r.Name == "gateway");
        var gatewayContext = new EnvironmentCallbackContext(builder.ExecutionContext, gateway, new Dictionary<string, object>());
        foreach (var callback in gateway.Annotations.OfType<EnvironmentCallbackAnnotation>())
            await callback.Callback(gatewayContext);
        Assert.Contains(gatewayContext.EnvironmentVariables.Keys, key => key.StartsWith("services__web__http__", StringComparison.Ordinal));
    }

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
    public async Task The_gateway_and_every_service_get_the_same_secret_signing_key()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>();
        var signingKeys = new List<object>();
        foreach (var name in new[] { "gateway", "punch-ledger", "identity-mapping", "daily-results", "dingtalk-connector", "wecom-connector" })
        {
            // The variables as the project's callbacks set them, unresolved: other values (endpoints, connection
            // strings) would wait for a running application.
            var resource = builder.Resources.Single(r => r.Name == name);
            var context = new EnvironmentCallbackContext(builder.ExecutionContext, resource, new Dictionary<string, object>());
            foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
                await callback.Callback(context);
            Assert.Equal(AccessTokenSettings.DevelopmentIssuer, context.EnvironmentVariables["Authentication__Jwt__Issuer"]);
            Assert.Equal(AccessTokenSettings.DefaultAudience, context.EnvironmentVariables["Authentication__Jwt__Audience"]);
            signingKeys.Add(context.EnvironmentVariables["Authentication__Jwt__SigningKey"]);
        }

        var key = Assert.IsType<ParameterResource>(signingKeys[0]);
        Assert.Equal(DevelopmentTokens.SigningKeyParameter, key.Name);
        Assert.True(key.Secret);
        Assert.All(signingKeys, k => Assert.Same(key, k));
    }

    [Fact]
    public async Task The_gateway_and_every_service_accept_the_identity_services_tokens()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>();
        foreach (var name in new[] { "gateway", "punch-ledger", "identity-mapping", "daily-results", "dingtalk-connector", "wecom-connector", "identity" })
        {
            var resource = builder.Resources.Single(r => r.Name == name);
            var context = new EnvironmentCallbackContext(builder.ExecutionContext, resource, new Dictionary<string, object>());
            foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
                await callback.Callback(context);
            var authority = Assert.IsType<EndpointReference>(context.EnvironmentVariables[IdentitySecrets.AuthorityVariable]);
            Assert.Equal(("identity", "http"), (authority.Resource.Name, authority.EndpointName));
        }
    }

    [Fact]
    public async Task Each_connector_is_a_service_client_of_identity_with_its_own_secret_and_waits_for_it()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>();
        var identity = await EnvironmentOfAsync(builder, "identity");
        var secrets = new List<ParameterResource>();
        foreach (var connector in new[] { "dingtalk-connector", "wecom-connector" })
        {
            var environment = await EnvironmentOfAsync(builder, connector);
            Assert.Equal(connector, environment["Connectors__ServiceClient__ClientId"]);
            var secret = Assert.IsType<ParameterResource>(environment["Connectors__ServiceClient__Secret"]);
            Assert.Equal(IdentitySecrets.ServiceClientSecretParameter(connector), secret.Name);
            Assert.True(secret.Secret);
            secrets.Add(secret);

            // identity knows the same client with the same secret.
            var index = identity.Single(v => v.Key.StartsWith("Identity__ServiceClients__", StringComparison.Ordinal)
                                             && v.Key.EndsWith("__ClientId", StringComparison.Ordinal) && Equals(v.Value, connector)).Key;
            Assert.Same(secret, identity[index.Replace("__ClientId", "__Secret", StringComparison.Ordinal)]);
            Assert.Contains(builder.Resources.Single(r => r.Name == connector).Annotations.OfType<WaitAnnotation>(), w => w.Resource.Name == "identity");
        }
        Assert.NotSame(secrets[0], secrets[1]);
    }

    [Fact]
    public async Task Published_the_connectors_client_secrets_have_no_default()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--operation", "publish", "--publisher", "manifest", "--output-path", Path.GetTempPath()]);
        foreach (var connector in new[] { "dingtalk-connector", "wecom-connector" })
        {
            var parameter = Assert.Single(builder.Resources.OfType<ParameterResource>(), p => p.Name == IdentitySecrets.ServiceClientSecretParameter(connector));
            Assert.True(parameter.Secret);
            Assert.Null(parameter.Default);
        }
    }

    /// <summary>The variables as the resource's callbacks set them, unresolved (endpoints and connection strings would wait for a run).</summary>
    private static async Task<Dictionary<string, object>> EnvironmentOfAsync(IDistributedApplicationTestingBuilder builder, string name)
    {
        var resource = builder.Resources.Single(r => r.Name == name);
        var context = new EnvironmentCallbackContext(builder.ExecutionContext, resource, new Dictionary<string, object>());
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
            await callback.Callback(context);
        return context.EnvironmentVariables;
    }

    [Fact]
    public async Task Published_the_identity_services_keys_and_client_secret_have_no_default()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--operation", "publish", "--publisher", "manifest", "--output-path", Path.GetTempPath()]);
        foreach (var name in new[] { IdentitySecrets.SigningKeyParameter, IdentitySecrets.EncryptionKeyParameter, IdentitySecrets.WebClientSecretParameter })
        {
            var parameter = Assert.Single(builder.Resources.OfType<ParameterResource>(), p => p.Name == name);
            Assert.True(parameter.Secret);
            Assert.Null(parameter.Default);
        }
        // No Development users and no demo client in a published topology.
        Assert.DoesNotContain(builder.Resources.OfType<ParameterResource>(), p => p.Name == IdentitySecrets.DemoIntegrationSecretParameter);
    }

    [Fact]
    public async Task Published_the_signing_key_has_no_default()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--operation", "publish", "--publisher", "manifest", "--output-path", Path.GetTempPath()]);

        Assert.True(builder.ExecutionContext.IsPublishMode);
        var key = Assert.Single(builder.Resources.OfType<ParameterResource>(), p => p.Name == DevelopmentTokens.SigningKeyParameter);
        Assert.True(key.Secret);
        Assert.Null(key.Default);
        // Nothing generates one: the deployment must supply Parameters:token-signing-key.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<MissingParameterValueException>(async () => await key.GetValueAsync(patience.Token));
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

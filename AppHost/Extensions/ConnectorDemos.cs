namespace HrmsAttendance.AppHost.Extensions;

/// <summary>
/// <c>-- --demo</c>: each connector pointed at its platform's fake instead of the real platform, and the fake's demo driver,
/// which sets up the demo tenant through the gateway and adds punches every few seconds.
/// </summary>
public static class ConnectorDemos
{
    /// <summary>The <c>dingtalk-fake</c> resource (fakes/DingTalkFake: connections/open and the Stream WebSocket, instead of api.dingtalk.com).</summary>
    public static void AddDingTalkDemo(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> connector,
        IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ParameterResource> tokenSigningKey)
    {
        var fake = builder.AddPlatformFake<Projects.DingTalkFake>("dingtalk-fake", "DingTalkFake__Demo__Gateway", connector, gateway, tokenSigningKey);
        connector.WithEnvironment("DingTalk__OpenApiBaseUrl", fake.GetEndpoint("http"));
    }

    /// <summary>The <c>wecom-fake</c> resource (fakes/WeComFake: gettoken and checkin/getcheckindata, instead of qyapi.weixin.qq.com); polled every 5 s.</summary>
    public static void AddWeComDemo(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> connector,
        IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ParameterResource> tokenSigningKey)
    {
        var fake = builder.AddPlatformFake<Projects.WeComFake>("wecom-fake", "WeComFake__Demo__Gateway", connector, gateway, tokenSigningKey);
        connector.WithEnvironment("WeCom__ApiBaseUrl", fake.GetEndpoint("http"))
                 .WithEnvironment("WeCom__PollInterval", "00:00:05");
    }

    /// <summary>A fake on a free loopback port (PORT), whose demo driver reaches the gateway with the topology's tokens once it and the connector run.</summary>
    private static IResourceBuilder<ProjectResource> AddPlatformFake<TProject>(this IDistributedApplicationBuilder builder, string name,
        string demoGatewayVariable, IResourceBuilder<ProjectResource> connector, IResourceBuilder<ProjectResource> gateway,
        IResourceBuilder<ParameterResource> tokenSigningKey) where TProject : IProjectMetadata, new()
    {
        var fake = builder.AddProject<TProject>(name)
            .WithHttpEndpoint(env: "PORT", isProxied: false)
            .WithAccessTokens(tokenSigningKey)
            .WithEnvironment(demoGatewayVariable, gateway.GetEndpoint("grpc"))
            .WaitFor(gateway)
            .WaitFor(connector);
        fake.Resource.Annotations.OfType<EndpointAnnotation>().Single().Port = HrmsAttendance.Hosting.LocalServers.LoopbackPorts.Free();
        return fake;
    }
}

namespace HrmsAttendance.AppHost.Extensions;

public static class WeComDemo
{
    /// <summary>
    /// The <c>wecom-fake</c> resource (fakes/WeComFake: WeCom's gettoken and checkin/getcheckindata) with the connector
    /// pointed at it instead of qyapi.weixin.qq.com and polling every 5 s, and its demo driver, which sets up the demo
    /// tenant's WeCom side through the gateway and adds check-in records every few seconds (fakes/WeComFake/DemoDriver.cs).
    /// </summary>
    public static void AddWeComDemo(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> connector,
        IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ParameterResource> tokenSigningKey)
    {
        var fake = builder.AddProject<Projects.WeComFake>("wecom-fake")
            .WithHttpEndpoint(env: "PORT", isProxied: false)
            .WithAccessTokens(tokenSigningKey)
            .WithEnvironment("WeComFake__Demo__Gateway", gateway.GetEndpoint("grpc"))
            .WaitFor(gateway)
            .WaitFor(connector);
        fake.Resource.Annotations.OfType<EndpointAnnotation>().Single().Port = HrmsAttendance.Hosting.LocalServers.LoopbackPorts.Free();
        connector.WithEnvironment("WeCom__ApiBaseUrl", fake.GetEndpoint("http"))
                 .WithEnvironment("WeCom__PollInterval", "00:00:05");
    }
}

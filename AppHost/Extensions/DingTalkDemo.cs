namespace HrmsAttendance.AppHost.Extensions;

public static class DingTalkDemo
{
    /// <summary>
    /// The <c>dingtalk-fake</c> resource (fakes/DingTalkFake: DingTalk's connections/open and Stream WebSocket) with the
    /// connector pointed at it instead of api.dingtalk.com, and its demo driver, which sets up a demo tenant through the
    /// gateway and pushes check records every few seconds (see fakes/DingTalkFake/DemoDriver.cs).
    /// </summary>
    public static void AddDingTalkDemo(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> connector,
        IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ParameterResource> tokenSigningKey)
    {
        var fake = builder.AddProject<Projects.DingTalkFake>("dingtalk-fake")
            .WithHttpEndpoint(env: "PORT", isProxied: false)
            .WithAccessTokens(tokenSigningKey)
            .WithEnvironment("DingTalkFake__Demo__Gateway", gateway.GetEndpoint("grpc"))
            .WaitFor(gateway)
            .WaitFor(connector);
        fake.Resource.Annotations.OfType<EndpointAnnotation>().Single().Port = HrmsAttendance.Hosting.LocalServers.LoopbackPorts.Free();
        connector.WithEnvironment("DingTalk__OpenApiBaseUrl", fake.GetEndpoint("http"));
    }
}

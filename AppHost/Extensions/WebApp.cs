namespace HrmsAttendance.AppHost.Extensions;

/// <summary>
/// The web app (<c>web</c>): served to browsers through the gateway at "/" (the gateway's catch-all route), signing
/// people in at the identity service as the confidential client <c>hrms-web</c>, calling the services through the
/// gateway's gRPC endpoint (<c>services__gateway__grpc__0</c>) with the signed-in user's access token.
/// </summary>
public static class WebApp
{
    /// <param name="authority">The OIDC issuer: identity's http URL.</param>
    public static IResourceBuilder<ProjectResource> AddWebApp(this IDistributedApplicationBuilder builder,
        IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ParameterResource> clientSecret, ReferenceExpression authority) =>
        builder.AddProject<Projects.Web>("web")
            .WithReference(gateway)
            .WithEnvironment("Authentication__Oidc__Authority", authority)
            .WithEnvironment("Authentication__Oidc__ClientSecret", clientSecret)
            .WaitFor(gateway)
            .WithDirectEndpoints()
            .WithHttpHealthCheck("/health", endpointName: "http");
}

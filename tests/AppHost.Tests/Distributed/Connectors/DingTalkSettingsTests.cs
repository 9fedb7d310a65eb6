using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>The settings and status routes through the gateway: tenant-admin only, bad input refused with its code and nothing stored.</summary>
[Collection(DingTalkAppCollection.Name)]
public sealed class DingTalkSettingsTests(DingTalkAppFixture fixture)
{
    [Theory]
    [InlineData("""{"client_id":"dingapp","client_secret":"s1","enabled":true,"extra":1}""")]
    [InlineData("""{"client_id":"","client_secret":"s1"}""")]
    [InlineData("""{"client_id":"dingapp","client_secret":"s\u0007"}""")]
    [InlineData("""{"client_id":" dingapp","client_secret":"s1"}""")]
    [InlineData("""["not an object"]""")]
    [InlineData("not json")]
    public async Task Bad_settings_are_refused_with_DINGTALK_INVALID_ARGUMENT_and_nothing_is_stored(string body)
    {
        var tenant = Guid.NewGuid();
        var callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        var admin = callers.Token(tenant, AccessRoles.TenantAdmin);
        using var http = callers.Http();
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/integrations/dingtalk/settings")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        put.Headers.Authorization = new("Bearer", admin);
        using var response = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("DINGTALK_INVALID_ARGUMENT", problem.RootElement.GetProperty("code").GetString());

        using var channel = callers.Channel();
        var e = await Assert.ThrowsAsync<RpcException>(() => new DingTalkIntegrationClient(channel)
            .GetSettingsAsync(new GetSettingsRequest(), TopologyCallers.Bearer(admin)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.StartsWith("DINGTALK_SETTINGS_NOT_FOUND", e.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AccessRoles.Approver)]
    [InlineData(AccessRoles.Integration)]
    public async Task Only_tenant_admins_reach_the_settings_and_the_status(string role)
    {
        var tenant = Guid.NewGuid();
        var callers = new TopologyCallers(fixture.App, fixture.DataDirectory);
        var token = callers.Token(tenant, role);
        using var http = callers.Http();
        using var status = await http.SendAsync(TopologyCallers.Get("/api/integrations/dingtalk/status", token));
        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/integrations/dingtalk/settings")
        {
            Content = JsonContent.Create(new { client_id = "dingapp", client_secret = "s1", enabled = true }),
        };
        put.Headers.Authorization = new("Bearer", token);
        using var refused = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // Straight to the connector's own gRPC port (no gateway): the service checks the role too.
        using var direct = fixture.App.CreateGrpcChannel(DingTalkAppFixture.Connector);
        var e = await Assert.ThrowsAsync<RpcException>(() => new DingTalkIntegrationClient(direct)
            .PutSettingsAsync(new PutSettingsRequest { ClientId = "dingapp", ClientSecret = "s1", Enabled = true }, TopologyCallers.Bearer(token)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.StartsWith("DINGTALK_FORBIDDEN", e.Status.Detail, StringComparison.Ordinal);
    }
}

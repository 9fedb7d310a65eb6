using System.Net;
using HrmsAttendance.GrpcWire.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HrmsAttendance.GrpcWire.Tests;

/// <summary>The misconfiguration the README warns about: gRPC mapped on an endpoint that speaks HTTP/1.1.</summary>
public class Http1EndpointTests
{
    [Fact]
    public async Task Grpc_request_over_http1_gets_426_with_the_fix_in_the_body()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1AndHttp2));
        builder.Services.AddGrpcWire();
        await using var app = builder.Build();
        app.MapGrpcService<TestWireService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        using var http = new HttpClient();
        using var content = new ByteArrayContent(RawGrpc.Frame(new Proto.EchoRequest()));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        using var response = await http.PostAsync(new Uri(new Uri(address), WireTestMethods.Echo.FullName), content);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Contains("Protocols = Http2", await response.Content.ReadAsStringAsync());
        await app.StopAsync();
    }
}

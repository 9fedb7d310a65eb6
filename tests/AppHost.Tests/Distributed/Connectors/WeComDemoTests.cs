using Grpc.Core;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.DependencyInjection;
using WeComDemo = HrmsAttendance.Fakes.WeCom.DemoDriver;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary><c>dotnet run --project AppHost -- --demo</c>: WeCom check-ins of the demo tenant reach its daily results within seconds.</summary>
public sealed class WeComDemoTests
{
    [Fact]
    public async Task With_demo_WeCom_punches_of_the_demo_tenant_reach_its_daily_results()
    {
        var dataDirectory = DistributedAppFixture.NewDataDirectory("hrms-wecom-demo-tests-");
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
                [$"--{AppHostOptions.DataDirectoryKey}={dataDirectory}", $"--{AppHostOptions.FreshKey}=true", "--demo"],
                (options, _) => options.DisableDashboard = true);
            await using var app = await builder.BuildAsync();
            var logs = new System.Collections.Concurrent.ConcurrentQueue<string>();
            foreach (var name in new[] { "wecom-fake", "wecom-connector" })
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(name))
                            foreach (var line in batch) logs.Enqueue($"{name}: {line.Content}");
                    }
                    catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { }
                });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await app.StartAsync(timeout.Token);
            foreach (var resource in new[] { "gateway", "wecom-connector", "wecom-fake" })
                await app.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.Running, timeout.Token);

            var callers = new TopologyCallers(app, dataDirectory);
            using var channel = callers.Channel();
            var admin = TopologyCallers.Bearer(callers.Token(WeComDemo.Tenant, AccessRoles.TenantAdmin));
            var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd");
            DailyResult? result = null;
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (result is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "no WeCom punch of the demo reached the daily results within 2 minutes:"
                    + Environment.NewLine + string.Join(Environment.NewLine, logs.TakeLast(80)));
                await Task.Delay(1000);
                try
                {
                    var persons = await new IdentityMappingClient(channel).ListPersonsAsync(new ListPersonsRequest { Search = "WECOM-1" }, admin);
                    if (persons.Persons.FirstOrDefault(p => p.EmployeeNumber == "WECOM-1") is not { } person) continue;
                    using var punches = new PunchLedgerClient(channel).ListPunches(
                        new ListPunchesRequest { PersonUuid = person.PersonUuid, FromDate = today, ToDate = today }, admin);
                    var weCom = await punches.ResponseStream.ReadAllAsync().AnyAsync(p => p.SourceProvider == SourceProvider.Wecom);
                    if (!weCom) continue;
                    result = await new DailyResultsClient(channel).GetDailyResultAsync(
                        new GetDailyResultRequest { PersonUuid = person.PersonUuid, WorkDate = today }, admin);
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.NotFound) { }
            }
            Assert.True(result.InputPunchCount >= 1);
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }
}

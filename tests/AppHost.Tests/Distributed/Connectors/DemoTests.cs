using Grpc.Core;
using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using HrmsAttendance.Fakes;
using HrmsAttendance.Tokens;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.AppHost.Tests.Distributed.Connectors;

/// <summary>
/// <c>dotnet run --project AppHost -- --demo</c>: DingTalk punches (DEMO-1) and WeCom check-ins (WECOM-1) of the demo
/// tenant reach its daily results within seconds. One topology for both (the option starts both fakes).
/// </summary>
public sealed class DemoTests
{
    private static readonly string[] Watched = ["dingtalk-fake", "dingtalk-connector", "wecom-fake", "wecom-connector", "identity", "gateway"];
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task With_demo_DingTalk_and_WeCom_punches_of_the_demo_tenant_reach_its_daily_results()
    {
        var dataDirectory = DistributedAppFixture.NewDataDirectory("hrms-demo-tests-");
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
                [$"--{AppHostOptions.DataDirectoryKey}={dataDirectory}", $"--{AppHostOptions.FreshKey}=true", "--demo"],
                (options, _) => options.DisableDashboard = true);
            await using var app = await builder.BuildAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await app.StartAsync(timeout.Token);
            foreach (var resource in Watched)
                await app.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.Running, timeout.Token);

            var callers = new TopologyCallers(app, dataDirectory);
            using var channel = callers.Channel();
            var adminToken = callers.Token(DemoGateway.Tenant, AccessRoles.TenantAdmin);
            // Seconds on a quiet machine (57 s with the boot); the full suite runs beside it on two cores (load 15+), where
            // the demo's set-up through the gateway alone took minutes (CI of 686d5ba: WeCom not there after 2 minutes).
            var deadline = DateTime.UtcNow.Add(Patience);
            foreach (var (employee, source) in new[] { ("DEMO-1", SourceProvider.Dingtalk), ("WECOM-1", SourceProvider.Wecom) })
            {
                var (result, seen) = await DailyResultWithPunchOfAsync(channel, adminToken, employee, source, deadline);
                if (result is null)
                    Assert.Fail($"no {source} punch of the demo's {employee} reached the daily results within {Patience.TotalMinutes:0} minutes "
                        + $"(seen: {seen}):" + Environment.NewLine + await LogTailsAsync(app));
                Assert.NotEqual(DailyStatus.Absent, result.Status); // a day with a punch is never ABSENT (seed 004)
            }
        }
        finally
        {
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The daily result that counts a punch of the platform, once one is in the ledger: the demo's punches are "now", and
    /// a punch before 06:00 in Shanghai belongs to the previous work day too (seed 004's windows), so yesterday and
    /// today are read. After the deadline null, with what each look saw (how often).
    /// </summary>
    private static async Task<(DailyResult? Result, string Seen)> DailyResultWithPunchOfAsync(Grpc.Net.Client.GrpcChannel channel, string adminToken, string employee,
        SourceProvider source, DateTime deadline)
    {
        var seen = new Dictionary<string, int>();
        void Saw(string what) => seen[what] = seen.GetValueOrDefault(what) + 1;
        while (DateTime.UtcNow < deadline)
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);
            var (from, to) = (today.AddDays(-1).ToString("yyyy-MM-dd"), today.ToString("yyyy-MM-dd"));
            var step = "ListPersons";
            // Fresh options at each look: they carry a deadline of 30 s from when they are made.
            var admin = TopologyCallers.Bearer(adminToken);
            try
            {
                var persons = await new IdentityMappingClient(channel).ListPersonsAsync(new ListPersonsRequest { Search = employee }, admin);
                if (persons.Persons.FirstOrDefault(p => p.EmployeeNumber == employee) is { } person)
                {
                    step = "ListPunches";
                    using var punches = new PunchLedgerClient(channel).ListPunches(
                        new ListPunchesRequest { PersonUuid = person.PersonUuid, FromDate = from, ToDate = to }, admin);
                    var sources = await punches.ResponseStream.ReadAllAsync().Select(p => p.SourceProvider).ToListAsync();
                    if (sources.Contains(source))
                    {
                        step = "ListDailyResults";
                        var results = await new DailyResultsClient(channel).ListDailyResultsAsync(
                            new ListDailyResultsRequest { PersonUuid = person.PersonUuid, FromDate = from, ToDate = to }, admin);
                        if (results.Results.FirstOrDefault(r => r.InputPunchCount >= 1) is { } counted) return (counted, "");
                        Saw($"punches of {source} but no result of {from}..{to} counts one");
                    }
                    else Saw($"{employee}'s punches of {from}..{to}: [{string.Join(", ", sources.Distinct())}]");
                }
                else Saw($"no person {employee}");
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.NotFound or StatusCode.DeadlineExceeded)
            {
                Saw($"{step}: {e.StatusCode} '{e.Status.Detail}' {e.Trailers.GetValue("x-error-code")} {e.Status.DebugException?.Message}");
            }
            await Task.Delay(1000);
        }
        return (null, string.Join("; ", seen.Select(s => $"{s.Value} × {s.Key}")));
    }

    /// <summary>Not the HTTP client's and Polly's line per call (hundreds of them in five minutes).</summary>
    private static bool IsTelling(string line) =>
        !line.Contains("Polly[", StringComparison.Ordinal) && !line.Contains("Execution attempt", StringComparison.Ordinal)
        && !line.Contains("System.Net.Http.HttpClient", StringComparison.Ordinal) && !line.Contains(" HTTP request ", StringComparison.Ordinal)
        && !line.Contains("Received HTTP response", StringComparison.Ordinal);

    /// <summary>The last lines each resource of the demo's path logged (DCP's console capture, by the model's resource).</summary>
    private static async Task<string> LogTailsAsync(DistributedApplication app)
    {
        var loggers = app.Services.GetRequiredService<ResourceLoggerService>();
        var text = new System.Text.StringBuilder();
        foreach (var resource in app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Where(r => Watched.Contains(r.Name)))
        {
            var lines = new List<string>();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await foreach (var batch in loggers.GetAllAsync(resource).WithCancellation(timeout.Token))
                    lines.AddRange(batch.Select(line => line.Content).Where(IsTelling));
            }
            catch (OperationCanceledException) { lines.Add("(log capture timed out)"); }
            text.AppendLine($"--- {resource.Name}: {lines.Count} lines").AppendJoin(Environment.NewLine, lines.TakeLast(40)).AppendLine();
        }
        return text.ToString();
    }
}

using HrmsAttendance.Hosting;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>The resource model on its own: the environment it produces, its checks, the AppHost's options.</summary>
public sealed class ModelTests
{
    private sealed class FixedValues : IResourceValues
    {
        public string GetConnectionString(Resource resource, string? role = null) => $"cs:{resource.Name}:{role ?? "owner"}";
        public Uri GetEndpoint(ProjectResource project, string endpointName) => new($"http://127.0.0.1:{(endpointName == "grpc" ? 6002 : 6001)}");
    }

    private static IDistributedApplicationBuilder Builder() => DistributedApplication.CreateBuilder(["--data-dir", Path.GetTempPath(), "--no-build"]);

    [Fact]
    public void A_project_gets_Aspire_convention_variables_for_what_it_references()
    {
        var builder = Builder();
        var attendance = builder.AddPostgres("postgres").AddDatabase("attendance", ownerRole: "attendance_owner");
        var redis = builder.AddRedis("redis");
        var ledger = builder.AddProject("punch-ledger", "services/PunchLedger");
        var other = builder.AddProject("daily-results", "services/PunchLedger", grpc: false)
            .WithReference(attendance, role: "daily_results_reader")
            .WithReference(redis)
            .WithReference(ledger)
            .WithEnvironment("Feature__X", "on");

        var environment = ResourceEnvironment.For(other.Resource, new FixedValues(), "http://127.0.0.1:4318");

        Assert.Equal("cs:attendance:daily_results_reader", environment["ConnectionStrings__attendance"]);
        Assert.Equal("cs:redis:owner", environment["ConnectionStrings__redis"]);
        Assert.Equal("http://127.0.0.1:6001", environment["services__punch-ledger__http__0"]);
        Assert.Equal("http://127.0.0.1:6002", environment["services__punch-ledger__grpc__0"]);
        Assert.Equal("http://127.0.0.1:4318", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal("1000", environment["OTEL_BSP_SCHEDULE_DELAY"]);
        Assert.Equal("1000", environment["OTEL_BLRP_SCHEDULE_DELAY"]);
        Assert.Equal("1000", environment["OTEL_METRIC_EXPORT_INTERVAL"]);
        Assert.Equal("daily-results", environment["OTEL_SERVICE_NAME"]);
        Assert.Equal("on", environment["Feature__X"]);
        Assert.DoesNotContain(environment.Keys, k => k.Contains("owner", StringComparison.Ordinal)); // never the owner's credentials
        Assert.Equal(["daily_results_reader"], attendance.Resource.LoginRoles);
    }

    [Fact]
    public void Without_an_OTLP_endpoint_no_OTEL_variable_is_set_and_migrations_get_the_owner()
    {
        var builder = Builder();
        var attendance = builder.AddPostgres("postgres").AddDatabase("attendance", ownerRole: "attendance_owner");
        var ledger = builder.AddProject("punch-ledger", "services/PunchLedger").WithReference(attendance, "punch_ledger_app").WithMigrations(attendance);

        Assert.DoesNotContain(ResourceEnvironment.For(ledger.Resource, new FixedValues(), null).Keys, k => k.StartsWith("OTEL_", StringComparison.Ordinal));
        var migration = Assert.Single(ledger.Resource.Annotations.OfType<MigrationAnnotation>());
        Assert.Equal(["migrate"], migration.Arguments);
        Assert.Equal("cs:attendance:owner", ResourceEnvironment.ForMigration(migration, new FixedValues())["ConnectionStrings__attendance-owner"]);
    }

    [Fact]
    public void Start_order_puts_dependencies_first_and_a_cycle_is_refused()
    {
        var builder = Builder();
        var a = builder.AddProject("a", "services/PunchLedger");
        var b = builder.AddProject("b", "services/PunchLedger").WaitFor(a);
        var postgres = builder.AddPostgres("postgres");
        var database = postgres.AddDatabase("db", ownerRole: "db_owner");
        a.WithReference(database, "a_app");
        var order = builder.Build().Model.StartOrder.Select(r => r.Name).ToList();
        Assert.True(order.IndexOf("postgres") < order.IndexOf("db") && order.IndexOf("db") < order.IndexOf("a") && order.IndexOf("a") < order.IndexOf("b"),
            string.Join(", ", order));

        var cyclic = Builder();
        var x = cyclic.AddProject("x", "services/PunchLedger");
        var y = cyclic.AddProject("y", "services/PunchLedger").WaitFor(x);
        x.WaitFor(y);
        var error = Assert.Throws<InvalidOperationException>(() => cyclic.Build());
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Punch-Ledger")]
    [InlineData("punch_ledger")]
    [InlineData("-ledger")]
    [InlineData("ledger-")]
    public void Resource_names_are_lower_case_kebab_case(string name) =>
        Assert.Throws<ArgumentException>(() => Builder().AddRedis(name));

    [Fact]
    public void The_AppHost_options_are_read_from_its_command_line()
    {
        var options = DistributedApplicationOptions.Parse(
            ["--fresh", "--data-dir", "/tmp/x", "--dashboard-port", "0", "--no-build", "--otlp-endpoint", "http://collector:4318", "--logs"]);
        Assert.True(options.Fresh && options.NoBuild && options.EchoResourceLogs);
        Assert.Equal("/tmp/x", options.DataDirectory);
        Assert.Equal(0, options.DashboardPort);
        Assert.Equal("http://collector:4318", options.OtlpEndpoint);

        Assert.EndsWith("/.apphost", DistributedApplicationOptions.Parse([]).DataDirectory, StringComparison.Ordinal);
        Assert.Equal(18888, DistributedApplicationOptions.Parse([]).DashboardPort);
        Assert.Contains("--bogus", Assert.Throws<ArgumentException>(() => DistributedApplicationOptions.Parse(["--bogus"])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DistributedApplicationOptions.Parse(["--dashboard-port", "http"]));
        Assert.Throws<ArgumentException>(() => DistributedApplicationOptions.Parse(["--data-dir"]));
    }
}

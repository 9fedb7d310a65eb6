extern alias PunchLedgerService;
extern alias IdentityMappingService;
extern alias DailyResultsService;
extern alias IdentityService;

using System.Diagnostics;
using HrmsAttendance.Connectors;
using HrmsAttendance.Connectors.Database;
using HrmsAttendance.Database;
using HrmsAttendance.ServiceDefaults;
using DailyResultsDatabase = DailyResultsService::HrmsAttendance.DailyResults.Database.DailyResultsDatabase;
using IdentityDatabase = IdentityService::HrmsAttendance.Identity.Database.IdentityDatabase;
using IdentityMappingDatabase = IdentityMappingService::HrmsAttendance.IdentityMapping.Database.IdentityMappingDatabase;
using PunchLedgerDatabase = PunchLedgerService::HrmsAttendance.PunchLedger.Database.PunchLedgerDatabase;

namespace HrmsAttendance.Migrations;

public static class MigrationExtensions
{
    public static void AddMigrationServices(this IHostApplicationBuilder builder)
    {
        foreach (var name in MigrationWorker.ConnectionNames)
            builder.RequireConnectionStringPassword(name, ServiceDataSource.LoginPassword);
        builder.Services.AddServiceActivitySource(MigrationWorker.ActivitySource.Name);
        builder.Services.AddHostedService<MigrationWorker>();
    }
}

/// <summary>
/// Provisions the <c>attendance</c> database (see <see cref="DatabaseProvisioner"/>) and applies identity mapping's,
/// then the punch ledger's, then daily results', then the DingTalk and WeCom connectors', then identity's migrations with the schema owner's login, then stops the host. A failure is logged and ends
/// the process with exit code 1, so the services (which <c>WaitForCompletion</c> on this resource) never start on a
/// half-migrated schema.
/// </summary>
public sealed class MigrationWorker(IConfiguration configuration, IHostApplicationLifetime lifetime, ILogger<MigrationWorker> logger)
    : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new("HrmsAttendance.Migrations");

    /// <summary>The connection strings the AppHost hands over (<c>ConnectionStrings__&lt;name&gt;</c>).</summary>
    public const string AdminConnectionName = "attendance";            // a superuser, in the attendance database
    public const string OwnerConnectionName = "attendance-owner";      // the schema owner's login
    public static readonly string[] ServiceLoginNames = ["punch-ledger-login", "identity-mapping-login", "daily-results-login", "dingtalk-connector-login", "wecom-connector-login", "identity-login"];
    public static readonly string[] ConnectionNames = [AdminConnectionName, OwnerConnectionName, .. ServiceLoginNames];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var activity = ActivitySource.StartActivity("Migrate attendance database", ActivityKind.Client);
        try
        {
            var admin = configuration.GetRequiredConnectionString(AdminConnectionName);
            var owner = configuration.GetRequiredConnectionString(OwnerConnectionName);
            var logins = ServiceLoginNames
                .Select(name => DatabaseLogin.FromConnectionString(configuration.GetRequiredConnectionString(name)))
                .ToList();

            var database = new Npgsql.NpgsqlConnectionStringBuilder(admin).Database
                ?? throw new InvalidOperationException($"ConnectionStrings__{AdminConnectionName} names no Database.");
            await DatabaseProvisioner.EnsureAsync(admin, database, DatabaseLogin.FromConnectionString(owner), logins, stoppingToken);
            logger.LogInformation("Database {Database}: owner {Owner}, logins {Logins}", database,
                DatabaseLogin.FromConnectionString(owner), string.Join(", ", logins));

            // Identity mapping first: the ledger's doors read its person.person_states (punch-ledger 0008).
            Report("identity-mapping", await IdentityMappingDatabase.MigrateAsync(owner, stoppingToken));
            Report("punch-ledger", await PunchLedgerDatabase.MigrateAsync(owner, stoppingToken));
            Report("daily-results", await DailyResultsDatabase.MigrateAsync(owner, stoppingToken));
            // The connectors' own schemas (parked punches, integration settings): libs/Connectors' files per connector.
            Report(ConnectorProvider.DingTalk.ServiceName, await ConnectorDatabase.MigrateAsync(ConnectorProvider.DingTalk, owner, stoppingToken));
            Report(ConnectorProvider.WeCom.ServiceName, await ConnectorDatabase.MigrateAsync(ConnectorProvider.WeCom, owner, stoppingToken));
            // Sign-in (issue 14): tenants, users, their changes, OpenIddict's tables; after the ledger's (audit.append).
            Report("identity", await IdentityDatabase.MigrateAsync(owner, stoppingToken));
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            logger.LogCritical(e, "Migrations failed: {Message}", e.Message);
            Environment.ExitCode = 1;
        }
        lifetime.StopApplication();
    }

    private void Report(string component, IReadOnlyList<string> applied)
    {
        if (applied.Count == 0)
            logger.LogInformation("{Component}: the schema is up to date", component);
        else
            logger.LogInformation("{Component}: applied {Migrations}", component, string.Join(", ", applied));
    }
}

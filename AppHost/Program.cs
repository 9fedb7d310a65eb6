using HrmsAttendance.AppHost.Extensions;

// `dotnet run --project AppHost -- token …` prints a bearer token for this topology (its gateway and services) and exits.
if (args is [TokenCommand.Name, .. var tokenArgs])
    return TokenCommand.Run(tokenArgs, Console.Out, Console.Error);

var builder = DistributedApplication.CreateBuilder(AppHostOptions.Translate(args));

// Postgres, Redis and RabbitMQ: Debian's servers as local executables (data under .apphost/), or the stock
// containers with AppHost:Infrastructure=containers.
var (attendance, redis, messaging) = builder.AddInfrastructure();

// One signing key for the topology's access tokens (`-- token` prints one): the gateway and every service validate them.
var tokenSigningKey = builder.AddTokenSigningKey();

// Each service connects with a NOSUPERUSER NOBYPASSRLS login of its own; the schema owner only migrates.
var owner = attendance.AddLogin("attendance-owner", role: "attendance_owner");
var punchLedgerLogin = attendance.AddLogin("punch-ledger-login", role: "punch_ledger_app");
var identityMappingLogin = attendance.AddLogin("identity-mapping-login", role: "identity_mapping_app");
var dailyResultsLogin = attendance.AddLogin("daily-results-login", role: "daily_results_app");
var dingTalkConnectorLogin = attendance.AddLogin("dingtalk-connector-login", role: "dingtalk_connector_app");
var weComConnectorLogin = attendance.AddLogin("wecom-connector-login", role: "wecom_connector_app");

var migrations = builder.AddProject<Projects.Migrations>("migrations")
       .WithReference(attendance)
       .WithReference(owner)
       .WithReference(punchLedgerLogin)
       .WithReference(identityMappingLogin)
       .WithReference(dailyResultsLogin)
       .WithReference(dingTalkConnectorLogin)
       .WithReference(weComConnectorLogin)
       .WaitFor(attendance);

// The ledger's outbox relay publishes to `messaging`; punches are accepted while the broker is down.
var punchLedger = builder.AddProject<Projects.PunchLedger>("punch-ledger")
       .WithReference(punchLedgerLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithAccessTokens(tokenSigningKey)
       .WaitForCompletion(migrations)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// Its outbox relay publishes ExternalIdentityLinked/Unlinked to `messaging`; links are accepted while the broker is down.
var identityMapping = builder.AddProject<Projects.IdentityMapping>("identity-mapping")
       .WithReference(identityMappingLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithAccessTokens(tokenSigningKey)
       .WaitForCompletion(migrations)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// Its change feed consumes DailyResultChanged from `messaging` for WatchDailyResults and the SSE route.
var dailyResults = builder.AddProject<Projects.DailyResults>("daily-results")
       .WithReference(dailyResultsLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithAccessTokens(tokenSigningKey)
       .WaitForCompletion(migrations)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// DingTalk Stream mode per tenant (one replica holds a tenant's stream: a lease in Redis) → identity-mapping →
// punch-ledger, or parked in its own schema until the id is linked (ExternalIdentityLinked from `messaging`).
var dingTalkConnector = builder.AddProject<Projects.DingTalkConnector>("dingtalk-connector")
       .WithReference(dingTalkConnectorLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithReference(redis)
       .WithReference(punchLedger)
       .WithReference(identityMapping)
       .WithAccessTokens(tokenSigningKey)
       .WithEnvironment("DingTalk__SettingsKey", builder.AddConnectorSettingsKey("dingtalk-settings-key"))
       .WaitForCompletion(migrations)
       .WaitFor(redis)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// WeCom checkin/getcheckindata polled per tenant (one replica polls a tenant at a time: a lease in Redis; the corp's
// calls share a token bucket and an access_token in Redis) → identity-mapping → punch-ledger, or parked until linked.
var weComConnector = builder.AddProject<Projects.WeComConnector>("wecom-connector")
       .WithReference(weComConnectorLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithReference(redis)
       .WithReference(punchLedger)
       .WithReference(identityMapping)
       .WithAccessTokens(tokenSigningKey)
       .WithEnvironment("WeCom__SettingsKey", builder.AddConnectorSettingsKey("wecom-settings-key"))
       .WaitForCompletion(migrations)
       .WaitFor(redis)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// The front door: the same tokens, token buckets in Redis, gRPC and /api routes to the services.
var gateway = builder.AddProject<Projects.Gateway>("gateway")
       .WithAccessTokens(tokenSigningKey)
       .WithReference(redis)
       .WithReference(punchLedger)
       .WithReference(identityMapping)
       .WithReference(dailyResults)
       .WithReference(dingTalkConnector)
       .WithReference(weComConnector)
       .WaitFor(redis)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// The web app, behind the gateway at "/": pages per role, signed in at identity (OpenID Connect).
// Until the identity service is in this topology the issuer is its planned address (identity's http endpoint, 5171).
var web = builder.AddWebApp(gateway, builder.AddWebClientSecret(), ReferenceExpression.Create($"http://127.0.0.1:5171"));
gateway.WithReference(web);

// `-- --demo`: DingTalk (Stream mode) and WeCom fakes with a demo tenant whose punches arrive every few seconds.
if (bool.TryParse(builder.Configuration[AppHostOptions.DemoKey], out var demo) && demo)
{
    builder.AddDingTalkDemo(dingTalkConnector, gateway, tokenSigningKey);
    builder.AddWeComDemo(weComConnector, gateway, tokenSigningKey);
}

await builder.Build().RunAsync();
return 0;

using Microsoft.Extensions.Hosting;
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
var identityLogin = attendance.AddLogin("identity-login", role: "identity_app");

var migrations = builder.AddProject<Projects.Migrations>("migrations")
       .WithReference(attendance)
       .WithReference(owner)
       .WithReference(punchLedgerLogin)
       .WithReference(identityMappingLogin)
       .WithReference(dailyResultsLogin)
       .WithReference(dingTalkConnectorLogin)
       .WithReference(weComConnectorLogin)
       .WithReference(identityLogin)
       .WaitFor(attendance);

// Sign-in (OpenID Connect, OpenIddict): the issuer is its http URL as the browser sees it; its RS256 access tokens are
// accepted by the gateway and every service (keys from its discovery document) besides the HS256 ones above.
var identity = builder.AddProject<Projects.Identity>("identity")
       .WithReference(identityLogin, connectionName: "attendance")
       .WithAccessTokens(tokenSigningKey)
       .WithEnvironment("Identity__SigningKey", builder.AddIdentitySigningKey())
       .WithEnvironment("Identity__EncryptionKey", builder.AddIdentityEncryptionKey())
       .WaitForCompletion(migrations)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");
identity.WithEnvironment("Identity__Issuer", identity.GetEndpoint("http")).WithOidcAuthority(identity);

// The ledger's outbox relay publishes to `messaging`; punches are accepted while the broker is down.
var punchLedger = builder.AddProject<Projects.PunchLedger>("punch-ledger")
       .WithReference(punchLedgerLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithAccessTokens(tokenSigningKey)
       .WithOidcAuthority(identity)
       .WaitForCompletion(migrations)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// Its outbox relay publishes ExternalIdentityLinked/Unlinked to `messaging`; links are accepted while the broker is down.
var identityMapping = builder.AddProject<Projects.IdentityMapping>("identity-mapping")
       .WithReference(identityMappingLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithAccessTokens(tokenSigningKey)
       .WithOidcAuthority(identity)
       .WaitForCompletion(migrations)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// The Development seed of identity finds or creates the demo users' persons (DEMO-1..3) here, and makes the demo
// approver the employees' approver in punch-ledger.
identity.WithReference(identityMapping).WithReference(punchLedger);

// Its change feed consumes DailyResultChanged from `messaging` for WatchDailyResults and the SSE route.
var dailyResults = builder.AddProject<Projects.DailyResults>("daily-results")
       .WithReference(dailyResultsLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithAccessTokens(tokenSigningKey)
       .WithOidcAuthority(identity)
       .WaitForCompletion(migrations)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// DingTalk Stream mode per tenant (one replica holds a tenant's stream: a lease in Redis) → identity-mapping →
// punch-ledger, or parked in its own schema until the id is linked (ExternalIdentityLinked from `messaging`). Its calls
// carry tokens from identity: client credentials of its own service client, per tenant (so it waits for identity).
var dingTalkConnector = builder.AddProject<Projects.DingTalkConnector>("dingtalk-connector")
       .WithReference(dingTalkConnectorLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithReference(redis)
       .WithReference(punchLedger)
       .WithReference(identityMapping)
       .WithAccessTokens(tokenSigningKey)
       .WithServiceClient(identity, index: 0)
       .WithEnvironment("DingTalk__SettingsKey", builder.AddConnectorSettingsKey("dingtalk-settings-key"))
       .WaitForCompletion(migrations)
       .WaitFor(redis)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// WeCom checkin/getcheckindata polled per tenant (one replica polls a tenant at a time: a lease in Redis; the corp's
// calls share a token bucket and an access_token in Redis) → identity-mapping → punch-ledger, or parked until linked;
// its tokens from identity like the DingTalk connector's.
var weComConnector = builder.AddProject<Projects.WeComConnector>("wecom-connector")
       .WithReference(weComConnectorLogin, connectionName: "attendance")
       .WithReference(messaging)
       .WithReference(redis)
       .WithReference(punchLedger)
       .WithReference(identityMapping)
       .WithAccessTokens(tokenSigningKey)
       .WithServiceClient(identity, index: 1)
       .WithEnvironment("WeCom__SettingsKey", builder.AddConnectorSettingsKey("wecom-settings-key"))
       .WaitForCompletion(migrations)
       .WaitFor(redis)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// The front door: the same tokens, token buckets in Redis, gRPC and /api routes to the services.
var gateway = builder.AddProject<Projects.Gateway>("gateway")
       .WithAccessTokens(tokenSigningKey)
       .WithOidcAuthority(identity)
       .WithReference(redis)
       .WithReference(punchLedger)
       .WithReference(identityMapping)
       .WithReference(dailyResults)
       .WithReference(dingTalkConnector)
       .WithReference(weComConnector)
       .WithReference(identity)
       .WaitFor(redis)
       .WithDirectEndpoints()
       .WithHttpHealthCheck("/health", endpointName: "http");

// The web app's client (hrms-web): its secret, and its callbacks behind the gateway (the web app is served at `/`).
var webClientSecret = builder.AddGeneratedSecret(IdentitySecrets.WebClientSecretParameter);
identity.WithEnvironment("Identity__WebClient__Secret", webClientSecret)
        .WithEnvironment("Identity__WebClient__RedirectUris", ReferenceExpression.Create($"{gateway.GetEndpoint("http")}/signin-oidc"))
        .WithEnvironment("Identity__WebClient__PostLogoutRedirectUris", ReferenceExpression.Create($"{gateway.GetEndpoint("http")}/signout-callback-oidc"));
// A local Development run: the demo tenant's users (password Passw0rd!) and its client-credentials client (role
// integration). Published topologies and other environments get neither: their users and clients are their own.
if (builder.ExecutionContext.IsRunMode && builder.Environment.IsDevelopment())
    identity.WithDevelopmentUsers()
            .WithIntegrationClient(0, IdentitySecrets.DemoIntegrationClientId, IdentitySecrets.DemoTenant,
                builder.AddGeneratedSecret(IdentitySecrets.DemoIntegrationSecretParameter));

// The web app, behind the gateway at "/": pages per role, signed in at identity (OpenID Connect) as hrms-web.
var web = builder.AddWebApp(gateway, webClientSecret, ReferenceExpression.Create($"{identity.GetEndpoint("http")}"));
gateway.WithReference(web);

// `-- --demo`: DingTalk (Stream mode) and WeCom fakes with a demo tenant whose punches arrive every few seconds.
if (bool.TryParse(builder.Configuration[AppHostOptions.DemoKey], out var demo) && demo)
{
    builder.AddDingTalkDemo(dingTalkConnector, gateway, tokenSigningKey);
    builder.AddWeComDemo(weComConnector, gateway, tokenSigningKey);
}

await builder.Build().RunAsync();
return 0;

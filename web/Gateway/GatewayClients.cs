using Grpc.Core;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Audit.V1;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.Contracts.Integrations.DingTalk.V1;
using HrmsAttendance.Contracts.Integrations.WeCom.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Contracts.Results.V1;
using Grpc.Net.ClientFactory;

namespace HrmsAttendance.Web.Gateway;

/// <summary>
/// The generated gRPC clients of the contracts, every one pointed at the gateway's gRPC endpoint and sending the
/// signed-in user's access token (<see cref="IAccessTokenSource"/>) as its bearer token.
/// </summary>
public static class GatewayClients
{
    /// <summary>Aspire's service discovery reads <c>services__gateway__grpc__0</c> for this address.</summary>
    public const string GatewayGrpcAddress = "http://_grpc.gateway";

    public static IServiceCollection AddGatewayClients(this IServiceCollection services, Uri gatewayAddress,
        Func<HttpMessageHandler>? primaryHandler = null)
    {
        services.AddGatewayClient<DailyResults.DailyResultsClient>(gatewayAddress, primaryHandler);
        services.AddGatewayClient<HrmsAttendance.Contracts.Accounts.V1.Accounts.AccountsClient>(gatewayAddress, primaryHandler);
        services.AddGatewayClient<PunchLedger.PunchLedgerClient>(gatewayAddress, primaryHandler);
        services.AddGatewayClient<IdentityMapping.IdentityMappingClient>(gatewayAddress, primaryHandler);
        services.AddGatewayClient<Imports.ImportsClient>(gatewayAddress, primaryHandler);
        services.AddGatewayClient<DingTalkIntegration.DingTalkIntegrationClient>(gatewayAddress, primaryHandler);
        services.AddGatewayClient<WeComIntegration.WeComIntegrationClient>(gatewayAddress, primaryHandler);
        services.AddGatewayClient<Adjustments.AdjustmentsClient>(gatewayAddress, primaryHandler);
        services.AddGatewayClient<AuditLog.AuditLogClient>(gatewayAddress, primaryHandler);
        services.AddScoped<TenantDailyResults>();
        return services;
    }

    private static void AddGatewayClient<TClient>(this IServiceCollection services, Uri gatewayAddress,
        Func<HttpMessageHandler>? primaryHandler) where TClient : class
    {
        var client = services.AddGrpcClient<TClient>(options => options.Address = gatewayAddress)
            .AddCallCredentials(async (_, metadata, provider) =>
            {
                if (await provider.GetRequiredService<IAccessTokenSource>().GetAccessTokenAsync() is { Length: > 0 } token)
                    metadata.Add("Authorization", "Bearer " + token);
            })
            // The gateway's gRPC endpoint is cleartext HTTP/2 on loopback.
            .ConfigureChannel(channel => channel.UnsafeUseInsecureChannelCallCredentials = true);
        // A user's action is tried once and its outcome shown (a create must not run twice); and the resilience
        // handler's total timeout would cut the daily results' change stream.
#pragma warning disable EXTEXP0001
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        if (primaryHandler is not null)
            client.ConfigurePrimaryHttpMessageHandler(primaryHandler);
    }
}

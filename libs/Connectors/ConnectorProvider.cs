using System.Security.Cryptography;
using System.Text;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;

namespace HrmsAttendance.Connectors;

/// <summary>
/// One platform connector: its provider name on the wire and in the bus messages (also its error codes' prefix), its
/// resource name, its own schema and login role, and how its settings are named (the configuration section, the app's
/// id and secret fields of the settings API). Each connector owns a schema of the same shape
/// (<see cref="Database.ConnectorDatabase"/>), so the two never read each other's parked punches or settings.
/// </summary>
public sealed record ConnectorProvider(
    string Name,
    string ServiceName,
    string Schema,
    string AppRole,
    SourceProvider Source,
    IdentityProvider Identity,
    string DisplayName,
    string AppIdField,
    string AppSecretField)
{
    public static ConnectorProvider DingTalk { get; } = new(
        "DINGTALK", "dingtalk-connector", "dingtalk", "dingtalk_connector_app", SourceProvider.Dingtalk, IdentityProvider.Dingtalk,
        "DingTalk", "client_id", "client_secret");

    public static ConnectorProvider WeCom { get; } = new(
        "WECOM", "wecom-connector", "wecom", "wecom_connector_app", SourceProvider.Wecom, IdentityProvider.Wecom,
        "WeCom", "corp_id", "corp_secret");

    /// <summary>The configuration section of the connector's options and settings key (<c>DingTalk</c>, <c>WeCom</c>).</summary>
    public string SettingsSection => DisplayName;

    /// <summary>The connector's JSON routes, behind the gateway's <c>/api/integrations/*</c>.</summary>
    public string ApiPath => $"/api/integrations/{Schema}";

    /// <summary>The connector's stable error codes (<c>DINGTALK_*</c>, <c>WECOM_*</c>) and their statuses.</summary>
    public Integration.ConnectorErrors Errors { get; } = new(Name);

    public static IReadOnlyList<ConnectorProvider> All { get; } = [DingTalk, WeCom];

    /// <summary>The ledger's limit on request_id and source_event_id.</summary>
    public const int MaxIdLength = 200;

    /// <summary>
    /// The ledger request_id of a platform punch: derived from the provider and the platform's event id alone, so a
    /// redelivery, a replay after a link and a retry after a crash all send the same id and the ledger records it once.
    /// </summary>
    public string RequestIdFor(string sourceEventId)
    {
        var plain = $"{Name.ToLowerInvariant()}:{sourceEventId}";
        return plain.Length <= MaxIdLength ? plain : $"{Name.ToLowerInvariant()}:sha256:{Hash(sourceEventId)}";
    }

    /// <summary>A platform id the ledger takes as it is (1 to 200 characters, no control characters), or its SHA-256.</summary>
    public static string SourceEventIdOf(string platformId) =>
        platformId.Length is > 0 and <= MaxIdLength && !platformId.Any(char.IsControl) ? platformId : "sha256:" + Hash(platformId);

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}

using System.Security.Cryptography;
using System.Text;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Contracts.Ledger.V1;

namespace HrmsAttendance.Connectors;

/// <summary>
/// One platform connector: its provider name on the wire and in the bus messages, its resource name, its own schema and
/// login role. Each connector owns a schema of the same shape (<see cref="Database.ConnectorDatabase"/>), so the two never
/// read each other's parked punches or settings.
/// </summary>
public sealed record ConnectorProvider(
    string Name,
    string ServiceName,
    string Schema,
    string AppRole,
    SourceProvider Source,
    IdentityProvider Identity)
{
    public static ConnectorProvider DingTalk { get; } = new(
        "DINGTALK", "dingtalk-connector", "dingtalk", "dingtalk_connector_app", SourceProvider.Dingtalk, IdentityProvider.Dingtalk);

    public static ConnectorProvider WeCom { get; } = new(
        "WECOM", "wecom-connector", "wecom", "wecom_connector_app", SourceProvider.Wecom, IdentityProvider.Wecom);

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

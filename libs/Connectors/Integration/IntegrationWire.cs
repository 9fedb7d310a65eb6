using Google.Protobuf.WellKnownTypes;
using HrmsAttendance.Connectors.Settings;
using HrmsAttendance.Contracts.Integrations;

namespace HrmsAttendance.Connectors.Integration;

/// <summary>The connectors' settings and status as their gRPC messages (each package's own, through the shared members).</summary>
public static class IntegrationWire
{
    public static TSettings SettingsMessage<TSettings>(IntegrationSettings s) where TSettings : IIntegrationSettingsMessage, new()
    {
        var wire = new TSettings();
        wire.AppId = s.ClientId;
        wire.Enabled = s.Enabled;
        wire.AppSecretSet = s.ProtectedSecret.Length > 0;
        wire.UpdatedAt = Timestamp.FromDateTimeOffset(s.UpdatedAt);
        wire.UpdatedBy = s.UpdatedBy;
        return wire;
    }

    /// <summary>The status's common part; the caller adds its consumer's fields.</summary>
    public static TStatus StatusMessage<TStatus, TConsumer>(IntegrationStatus<TConsumer> s) where TStatus : IIntegrationStatusMessage, new()
        where TConsumer : class
    {
        var wire = new TStatus();
        wire.Configured = s.Settings is not null;
        wire.Enabled = s.Settings?.Enabled ?? false;
        wire.ParkedPunches = s.Punches["PARKED"];
        wire.ReplayedPunches = s.Punches["REPLAYED"];
        wire.RejectedPunches = s.Punches["REJECTED"];
        return wire;
    }

    public static Timestamp? Time(DateTimeOffset? at) => at is { } t ? Timestamp.FromDateTimeOffset(t) : null;
}

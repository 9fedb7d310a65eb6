using Google.Protobuf.WellKnownTypes;

namespace HrmsAttendance.Contracts.Integrations
{
    /// <summary>
    /// What the connectors' settings messages share (attendance.integrations.dingtalk.v1.Settings: client_id…,
    /// attendance.integrations.wecom.v1.Settings: corp_id…), so one piece of code fills either. Each package keeps its
    /// own messages and field names on the wire; these interfaces only name their common members in C#.
    /// </summary>
    public interface IIntegrationSettingsMessage
    {
        string AppId { get; set; }
        bool Enabled { get; set; }
        bool AppSecretSet { get; set; }
        Timestamp UpdatedAt { get; set; }
        string UpdatedBy { get; set; }
    }

    /// <summary>What the connectors' status messages share: the settings' state and the parked punches.</summary>
    public interface IIntegrationStatusMessage
    {
        bool Configured { get; set; }
        bool Enabled { get; set; }
        long ParkedPunches { get; set; }
        long ReplayedPunches { get; set; }
        long RejectedPunches { get; set; }
    }
}

namespace HrmsAttendance.Contracts.Integrations.DingTalk.V1
{
    public partial class Settings : IIntegrationSettingsMessage
    {
        string IIntegrationSettingsMessage.AppId { get => ClientId; set => ClientId = value; }
        bool IIntegrationSettingsMessage.AppSecretSet { get => ClientSecretSet; set => ClientSecretSet = value; }
    }

    public partial class Status : IIntegrationStatusMessage;
}

namespace HrmsAttendance.Contracts.Integrations.WeCom.V1
{
    public partial class Settings : IIntegrationSettingsMessage
    {
        string IIntegrationSettingsMessage.AppId { get => CorpId; set => CorpId = value; }
        bool IIntegrationSettingsMessage.AppSecretSet { get => CorpSecretSet; set => CorpSecretSet = value; }
    }

    public partial class Status : IIntegrationStatusMessage;
}

namespace HrmsAttendance.DingTalkConnector.Stream;

/// <summary>Bound from the configuration section <c>DingTalk</c> (<c>ConnectorProvider.DingTalk.SettingsSection</c>).</summary>
public sealed class DingTalkOptions
{
    /// <summary>DingTalk's open API (connections/open); the AppHost's <c>--demo</c> points it at the fake.</summary>
    public Uri OpenApiBaseUrl { get; set; } = new("https://api.dingtalk.com");

    /// <summary>The first reconnect delay after a failure; doubled per failure up to <see cref="MaxReconnectDelay"/>, with jitter.</summary>
    public TimeSpan MinReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the connector looks for tenants whose stream no replica holds (and settings that changed).</summary>
    public TimeSpan TenantScanInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a tenant's stream lease lives without renewal (renewed every third of it).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Attendance events that arrive within this long of the first of a batch (and are queued by then) are stored with
    /// it: one ResolveIdentities and one SubmitPunches for all their punches.
    /// </summary>
    public TimeSpan BatchLinger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The most events stored as one batch.</summary>
    public int BatchMaxFrames { get; set; } = 100;

    /// <summary>The <c>ua</c> sent with connections/open.</summary>
    public string UserAgent { get; set; } = "hrms-attendance-dingtalk-connector/1";
}

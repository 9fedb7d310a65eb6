namespace HrmsAttendance.WeComConnector.Api;

/// <summary>Bound from the configuration section <c>WeCom</c> (<c>ConnectorProvider.WeCom.SettingsSection</c>).</summary>
public sealed class WeComOptions
{
    /// <summary>WeCom's server API (<c>/cgi-bin/…</c>); the AppHost's <c>--demo</c> and the tests point it at the fake.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://qyapi.weixin.qq.com");

    /// <summary>How often a tenant is polled (its last successful poll at least this long ago).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How far each window reaches back before the cursor, for records WeCom reports late.</summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Where a tenant's first window starts (before now), when it has no cursor yet.</summary>
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The longest window one poll asks for (WeCom takes at most 30 days); a longer gap is caught up in steps.</summary>
    public TimeSpan MaxWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the connector looks for tenants with an enabled integration.</summary>
    public TimeSpan TenantScanInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a tenant's poll lease lives without renewal (renewed every third of it).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The calls per second all replicas together make to WeCom for one corp (WeCom allows 600 per minute), and the burst.</summary>
    public double CallsPerSecond { get; set; } = 10;
    public int CallBurst { get; set; } = 20;

    /// <summary>After errcode 45009 (frequency limit): the first wait, doubled per repeat up to the maximum, and how many tries a call gets.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);
    public int MaxAttempts { get; set; } = 8;

    /// <summary>A cached access_token is replaced this long before WeCom says it expires.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);
}

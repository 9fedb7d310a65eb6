namespace HrmsAttendance.Gateway.Forwarding;

/// <summary>Bound from the configuration section <c>Gateway:Forwarding</c>.</summary>
public sealed class ForwarderOptions
{
    public const string SectionName = "Gateway:Forwarding";

    /// <summary>For <see cref="UpstreamProtocol.Http"/>: no response headers within it → 504 GATEWAY_UPSTREAM_TIMEOUT.
    /// <see cref="Timeout.InfiniteTimeSpan"/> (or zero) disables it.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Set on <c>IHttpMaxRequestBodySizeFeature</c> per request (when not read-only); exceeded →
    /// 413 GATEWAY_PAYLOAD_TOO_LARGE (gRPC: RESOURCE_EXHAUSTED). Null: no limit.</summary>
    public long? MaxRequestBodyBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>The SocketsHttpHandler's ConnectTimeout (a connection not established in time → 502).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

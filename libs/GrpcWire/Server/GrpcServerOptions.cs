namespace HrmsAttendance.GrpcWire;

public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted (RESOURCE_EXHAUSTED above it). Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;
    /// <summary>Largest response message sent. Default: unlimited.</summary>
    public int? MaxSendMessageSize { get; set; }
    /// <summary>
    /// When a call's deadline passes, the handler's token fires at once; a handler still running this
    /// long afterwards has its HTTP/2 stream reset (RST_STREAM CANCEL). Default 1 s.
    /// </summary>
    public TimeSpan DeadlineResetGracePeriod { get; set; } = TimeSpan.FromSeconds(1);
}

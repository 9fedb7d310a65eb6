namespace HrmsAttendance.GrpcWire;

/// <summary>Channel-wide settings for <see cref="GrpcChannel.ForAddress(Uri, GrpcChannelOptions)"/>.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>The handler to send with; null creates a SocketsHttpHandler owned (and disposed) by the channel.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
    /// <summary>Largest response message accepted (RESOURCE_EXHAUSTED above it). Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;
    /// <summary>Largest request message sent (RESOURCE_EXHAUSTED above it). Default: unlimited.</summary>
    public int? MaxSendMessageSize { get; set; }
}

namespace HrmsAttendance.GrpcWire.Wire;

/// <summary>Names and small rules of the gRPC-over-HTTP/2 protocol shared by the server and the client.</summary>
public static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string TeTrailers = "trailers";
    public const string UserAgent = "grpc-dotnet-wire/1.0";

    public const string IdentityEncoding = "identity";
    public const string GzipEncoding = "gzip";
    /// <summary>What we can decompress, advertised in <c>grpc-accept-encoding</c>.</summary>
    public const string SupportedEncodings = "gzip,identity";

    /// <summary>True for <c>application/grpc</c>, <c>application/grpc+proto</c>, <c>application/grpc; charset=…</c>.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
            return false;
        if (contentType.Length == ContentType.Length) return true;
        var next = contentType[ContentType.Length];
        return next is '+' or ';';
    }

    /// <summary>
    /// Headers that belong to the protocol or to HTTP, not to the application's metadata.
    /// Pseudo-headers (":path"…) and every "grpc-" header are reserved by the gRPC spec.
    /// </summary>
    public static bool IsReservedHeader(string name) =>
        name.StartsWith(':')
        || name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("te", StringComparison.OrdinalIgnoreCase)
        || name.Equals("host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("user-agent", StringComparison.OrdinalIgnoreCase)
        || name.Equals("accept-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("date", StringComparison.OrdinalIgnoreCase)
        || name.Equals("server", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a comma-separated <c>grpc-accept-encoding</c> list names <paramref name="encoding"/>.</summary>
    public static bool AcceptsEncoding(string? acceptEncodingList, string encoding)
    {
        if (string.IsNullOrEmpty(acceptEncodingList)) return false;
        foreach (var part in acceptEncodingList.Split(','))
            if (part.Trim().Equals(encoding, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}

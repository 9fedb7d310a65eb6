using System.Collections;
using Grpc.Core;

namespace HrmsAttendance.StableErrors;

/// <summary>One stable error code and the statuses it maps to; <see cref="HttpStatus"/> is null in a gRPC-only table.</summary>
public readonly record struct StableError(string Code, StatusCode GrpcStatus, int? HttpStatus);

/// <summary>
/// Stable error codes (e.g. "STAFFING_INVALID_ARGUMENT") and the statuses they map to; unknown codes map to the
/// fallback (<see cref="StatusCode.Internal"/> / 500). Written once as a collection initializer, e.g.
/// <c>new StableErrorTable { { Code, StatusCode.InvalidArgument, 400 }, ... }</c>, and only read afterwards
/// (reads are safe from any thread). A table maps either every code to gRPC and HTTP, or every code to gRPC only;
/// a code given twice, or a mix of the two forms, is refused when the table is built.
/// </summary>
public sealed class StableErrorTable : IEnumerable<StableError>
{
    public const StatusCode FallbackGrpcStatus = StatusCode.Internal;
    public const int FallbackHttpStatus = 500;

    private readonly Dictionary<string, StableError> _byCode = new(StringComparer.Ordinal);
    private bool? _hasHttp; // null while the table is empty

    public StableErrorTable()
    {
    }

    /// <param name="malformedRequestCode">The code of a request the service cannot read as its contract's message (see
    /// <see cref="MalformedRequestCode"/>); it must be added to the table with <see cref="StatusCode.InvalidArgument"/>.</param>
    /// <param name="oversizedRequestCode">The code of a request message over the service's size limit (see
    /// <see cref="OversizedRequestCode"/>); it must be added with <see cref="StatusCode.ResourceExhausted"/>.</param>
    public StableErrorTable(string malformedRequestCode, string oversizedRequestCode)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(malformedRequestCode);
        ArgumentException.ThrowIfNullOrWhiteSpace(oversizedRequestCode);
        MalformedRequestCode = malformedRequestCode;
        OversizedRequestCode = oversizedRequestCode;
    }

    /// <summary>
    /// The code a gRPC service of ours answers (INVALID_ARGUMENT) when a request's bytes are not its method's message:
    /// broken framing, broken protobuf, fields the contract does not define (<see cref="GrpcRequestGuard"/>). Null in a
    /// table that is not a gRPC service's.
    /// </summary>
    public string? MalformedRequestCode { get; }

    /// <summary>The code a gRPC service of ours answers (RESOURCE_EXHAUSTED) for a request message over its size limit (<see cref="GrpcRequestGuard"/>).</summary>
    public string? OversizedRequestCode { get; }

    private readonly Dictionary<string, (string Malformed, string Oversized)> _requestCodesByService = new(StringComparer.Ordinal);

    /// <summary>
    /// Another gRPC service hosted by the same process answers unreadable and oversized requests with codes of its own
    /// (punch-ledger hosts attendance.imports.v1.Imports, whose codes are IMPORT_*); both must be in the table.
    /// </summary>
    public void UseRequestCodesFor(string grpcServiceName, string malformedRequestCode, string oversizedRequestCode)
    {
        foreach (var code in new[] { malformedRequestCode, oversizedRequestCode })
            if (!_byCode.ContainsKey(code)) throw new ArgumentException($"{code} is not in the table", nameof(grpcServiceName));
        _requestCodesByService[grpcServiceName] = (malformedRequestCode, oversizedRequestCode);
    }

    /// <summary>The malformed- and oversized-request codes of a gRPC service (its own, or the table's).</summary>
    public (string? Malformed, string? Oversized) RequestCodesFor(string grpcServiceName) =>
        _requestCodesByService.TryGetValue(grpcServiceName, out var codes) ? codes : (MalformedRequestCode, OversizedRequestCode);

    /// <summary>Adds a code that maps to a gRPC status and an HTTP error status (400–599).</summary>
    public void Add(string code, StatusCode grpcStatus, int httpStatus)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(httpStatus, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(httpStatus, 599);
        Add(new StableError(code, grpcStatus, httpStatus));
    }

    /// <summary>Adds a code of a gRPC-only table.</summary>
    public void Add(string code, StatusCode grpcStatus) => Add(new StableError(code, grpcStatus, null));

    private void Add(StableError error)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error.Code, "code");
        if (error.GrpcStatus == StatusCode.OK)
            throw new ArgumentException($"the stable error code {error.Code} cannot map to gRPC status OK", "grpcStatus");
        var hasHttp = error.HttpStatus.HasValue;
        if (_hasHttp is { } tableHasHttp && tableHasHttp != hasHttp)
            throw new ArgumentException(
                $"the stable error code {error.Code} {(hasHttp ? "has an HTTP status" : "lacks an HTTP status")} but the table's other codes {(tableHasHttp ? "have one" : "do not")}",
                "code");
        if (!_byCode.TryAdd(error.Code, error))
            throw new ArgumentException($"the stable error code {error.Code} is in the table twice", "code");
        _hasHttp = hasHttp;
    }

    /// <summary>The codes, in the order they were added.</summary>
    public IReadOnlyCollection<string> Codes => _byCode.Keys;

    /// <summary>Whether the codes map to HTTP statuses as well as gRPC ones (false for an empty table).</summary>
    public bool HasHttp => _hasHttp ?? false;

    public bool Contains(string code) => _byCode.ContainsKey(code);

    /// <summary>The gRPC status of a code; <see cref="FallbackGrpcStatus"/> for a code not in the table.</summary>
    public StatusCode GrpcStatusOf(string code) =>
        _byCode.TryGetValue(code, out var error) ? error.GrpcStatus : FallbackGrpcStatus;

    /// <summary>The HTTP status of a code; <see cref="FallbackHttpStatus"/> for a code not in the table.</summary>
    /// <exception cref="InvalidOperationException">The table is gRPC-only.</exception>
    public int HttpStatusOf(string code)
    {
        if (_hasHttp == false)
            throw new InvalidOperationException("this stable error table maps codes to gRPC statuses only");
        return _byCode.TryGetValue(code, out var error) ? error.HttpStatus!.Value : FallbackHttpStatus;
    }

    public IEnumerator<StableError> GetEnumerator() => _byCode.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

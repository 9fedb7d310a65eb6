namespace HrmsAttendance.StableErrors;

/// <summary>
/// A refusal with a stable code; its message is "CODE: detail", the text a gRPC status carries. A service derives
/// its own exception type from it.
/// </summary>
public class StableErrorException(string code, string detail, Exception? cause = null) : Exception($"{code}: {detail}", cause)
{
    public string Code { get; } = code;
    public string Detail { get; } = detail;
}

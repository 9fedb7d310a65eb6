namespace HrmsAttendance.GrpcWire.Server;

/// <summary>
/// One method as the router sees it: its path and a type-erased invoker that reads the request(s),
/// runs the handler and writes the response message(s). Status and trailers are written by
/// <see cref="ServerCallHandler"/>, whatever the invoker does.
/// </summary>
internal sealed record BoundMethod(string ServiceName, string Name, MethodType Type, Func<HttpServerCallContext, Task> Invoke)
{
    public string FullName => $"/{ServiceName}/{Name}";
}

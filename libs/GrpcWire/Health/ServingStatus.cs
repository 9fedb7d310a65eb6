namespace HrmsAttendance.GrpcWire;

/// <summary>A service's health as <c>grpc.health.v1</c> reports it (same numbers as the proto enum).</summary>
public enum ServingStatus
{
    Unknown = 0,
    Serving = 1,
    NotServing = 2,
    ServiceUnknown = 3,
}

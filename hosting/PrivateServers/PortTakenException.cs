namespace HrmsAttendance.Hosting.PrivateServers;

/// <summary>
/// Thrown while waiting for a server to be ready when it exited because something else took one of its ports
/// first; a launcher that picked the port itself then tries again with another.
/// </summary>
internal sealed class PortTakenException(string message) : Exception(message);

namespace HrmsAttendance.Hosting.Processes;

/// <summary>The signal <see cref="ChildProcess.StopAsync"/> sends first. Values are the Linux signal numbers.</summary>
public enum StopSignal
{
    /// <summary>SIGINT. PostgreSQL treats it as "fast shutdown".</summary>
    Interrupt = 2,

    /// <summary>SIGTERM. The usual polite stop for most servers (Redis, RabbitMQ).</summary>
    Terminate = 15,
}

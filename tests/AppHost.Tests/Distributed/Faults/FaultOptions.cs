using System.Globalization;

namespace HrmsAttendance.AppHost.Tests.Distributed.Faults;

/// <summary>
/// Durations of the fault suite, from the environment so a long run needs no code change:
/// <c>HRMS_FAULTS_REDIS_DOWN_SECONDS</c> (default 30, 10 when <c>CI=true</c>),
/// <c>HRMS_FAULTS_POSTGRES_DOWN_SECONDS</c> (default 5), <c>HRMS_FAULTS_STEADY_SECONDS</c> (load before and after
/// each fault, default 4), <c>HRMS_FAULTS_PUNCH_DEADLINE_SECONDS</c> (how long a client retries one punch, default 120),
/// <c>HRMS_FAULTS_BROKER_DOWN_SECONDS</c> (RabbitMQ stopped, default 60, 15 when <c>CI=true</c>) and
/// <c>HRMS_FAULTS_BUS_PUNCHES</c> (punches per bus fault, default 1000, 300 when <c>CI=true</c>).
/// </summary>
internal static class FaultOptions
{
    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static TimeSpan RedisDown => Seconds("HRMS_FAULTS_REDIS_DOWN_SECONDS", InCi ? 10 : 30);

    public static TimeSpan PostgresDown => Seconds("HRMS_FAULTS_POSTGRES_DOWN_SECONDS", 5);

    public static TimeSpan Steady => Seconds("HRMS_FAULTS_STEADY_SECONDS", 4);

    public static TimeSpan PunchDeadline => Seconds("HRMS_FAULTS_PUNCH_DEADLINE_SECONDS", 120);

    public static TimeSpan BrokerDown => Seconds("HRMS_FAULTS_BROKER_DOWN_SECONDS", InCi ? 15 : 60);

    public static int BusPunches =>
        int.TryParse(Environment.GetEnvironmentVariable("HRMS_FAULTS_BUS_PUNCHES"), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count : InCi ? 300 : 1000;

    /// <summary>Concurrent punching clients (each its own principal, person and channel).</summary>
    public const int Clients = 4;

    private static TimeSpan Seconds(string variable, double fallback) =>
        TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Float, CultureInfo.InvariantCulture,
            out var seconds) && seconds > 0 ? seconds : fallback);
}

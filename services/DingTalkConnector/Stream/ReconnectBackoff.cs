namespace HrmsAttendance.DingTalkConnector.Stream;

/// <summary>Exponential back-off with jitter: min · 2^failures, capped at max, then ±25 % (never below min nor above max).</summary>
public static class ReconnectBackoff
{
    public static TimeSpan Delay(int failures, TimeSpan min, TimeSpan max, Random random)
    {
        var exponent = Math.Clamp(failures, 0, 30);
        var ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, exponent));
        var jittered = ceiling * (0.75 + 0.5 * random.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, min.TotalMilliseconds, max.TotalMilliseconds));
    }
}

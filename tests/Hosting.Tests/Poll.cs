using System.Diagnostics;

namespace HrmsAttendance.Hosting.Tests;

/// <summary>Wait for a condition by polling it, instead of sleeping a guessed amount.</summary>
internal static class Poll
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        await UntilAsync(() => condition() ? "done" : null, timeout);
    }

    public static async Task<T> UntilAsync<T>(Func<T?> probe, TimeSpan? timeout = null) where T : class
    {
        var limit = timeout ?? DefaultTimeout;
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }
            if (elapsed.Elapsed > limit)
            {
                throw new TimeoutException($"Condition not met within {limit.TotalSeconds} s.");
            }
            await Task.Delay(20);
        }
    }
}

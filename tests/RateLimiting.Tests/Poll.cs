using System.Diagnostics;

namespace HrmsAttendance.RateLimiting.Tests;

/// <summary>Wait for a condition by polling it, instead of sleeping a guessed amount.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds} s.");
            }
            await Task.Delay(10);
        }
    }
}

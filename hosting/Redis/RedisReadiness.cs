using System.Diagnostics;
using System.Net.Sockets;
using HrmsAttendance.Hosting.PrivateServers;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Redis;

/// <summary>Ready means: <c>AUTH password</c> + <c>PING</c> answers <c>+PONG</c> on 127.0.0.1:port.</summary>
internal static class RedisReadiness
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static async Task WaitAsync(ChildProcess server, int port, string password, CancellationToken ct)
    {
        var elapsed = Stopwatch.StartNew();
        var lastError = "none";
        while (true)
        {
            // Race each attempt against the server's exit: a port squatter that accepts TCP but never answers
            // would otherwise hold us for the whole attempt timeout.
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attemptTimeout.CancelAfter(AttemptTimeout);
            var attempt = RedisPing.AuthenticateAndPingAsync(port, password, attemptTimeout.Token);
            await Task.WhenAny(attempt, server.Exited);
            if (server.HasExited)
            {
                _ = attempt.ContinueWith(t => t.Exception, TaskScheduler.Default); // observe its late failure
                throw ExitedEarly(server);
            }
            try
            {
                var reply = await attempt;
                if (reply == RedisPing.Pong)
                {
                    return;
                }
                if (reply.StartsWith("-WRONGPASS", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal)
                    || reply.StartsWith("-ERR AUTH", StringComparison.Ordinal))
                {
                    // Ours was just given this password, so another server answered on "our" port while ours
                    // was failing to bind it. Ours exits quickly then.
                    if (await server.ExitsWithinAsync(TimeSpan.FromSeconds(2)))
                    {
                        throw ExitedEarly(server);
                    }
                    throw new InvalidOperationException(
                        $"Something on 127.0.0.1:{port} refused the password just given to our Redis (pid {server.Pid}): {reply}");
                }
                lastError = reply; // e.g. -LOADING
            }
            catch (Exception e) when ((e is SocketException or IOException or OperationCanceledException) && !ct.IsCancellationRequested)
            {
                lastError = e.Message; // not listening yet
            }

            if (elapsed.Elapsed > Timeout)
            {
                throw new TimeoutException(
                    $"Redis (pid {server.Pid}) did not answer PING on 127.0.0.1:{port} within {Timeout.TotalSeconds:0} s. " +
                    $"Last error: {lastError}.{server.RecentOutput.FormatTail()}");
            }
            await Task.Delay(PollInterval, ct);
        }
    }

    private static Exception ExitedEarly(ChildProcess server) =>
        EarlyExit.Describe(server, "Redis", "answering PING", EarlyExit.AddressInUse);
}

using System.Diagnostics;
using System.Net.Sockets;
using HrmsAttendance.Hosting.PrivateServers;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// Ready means: an AMQP login with our user and password opens vhost "/" on 127.0.0.1:port. The node opens its
/// AMQP listener last, after every boot step, so a login that works is a node that works.
/// </summary>
internal static class RabbitMqReadiness
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90); // a cold boot takes ~5 s on 2 cores
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    // Words of the node's own boot failure reports when a port is taken (AMQP listener; distribution port).
    private static readonly string[] PortTakenMarkers = ["eaddrinuse", "dist_port_already_used"];

    public static async Task WaitAsync(ChildProcess node, int amqpPort, RabbitMqCredentials credentials, CancellationToken ct)
    {
        var elapsed = Stopwatch.StartNew();
        var lastError = "none";
        while (true)
        {
            // Race each attempt against the node's exit: a port squatter that accepts TCP but never answers
            // would otherwise hold us for the whole attempt timeout.
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attemptTimeout.CancelAfter(AttemptTimeout);
            var attempt = AmqpLogin.TryLogInAsync(amqpPort, credentials.UserName, credentials.Password, attemptTimeout.Token);
            await Task.WhenAny(attempt, node.Exited);
            if (node.HasExited)
            {
                _ = attempt.ContinueWith(t => t.Exception, TaskScheduler.Default); // observe its late failure
                throw ExitedEarly(node);
            }
            try
            {
                if (await attempt is not { } refusal)
                {
                    return;
                }
                // Either another server answered on "our" port (ours then fails to bind it and exits), or the
                // database was created with other credentials than those in credentials.json.
                if (await node.ExitsWithinAsync(TimeSpan.FromSeconds(10)))
                {
                    throw ExitedEarly(node);
                }
                throw new InvalidOperationException(
                    $"The node refused the login kept in credentials.json ({refusal}): its database and that file no " +
                    "longer belong together. Delete the data directory to start afresh.");
            }
            catch (Exception e) when ((e is SocketException or IOException or OperationCanceledException) && !ct.IsCancellationRequested)
            {
                lastError = e.Message; // not listening yet
            }

            if (elapsed.Elapsed > Timeout)
            {
                throw new TimeoutException(
                    $"RabbitMQ (pid {node.Pid}) did not accept an AMQP login on 127.0.0.1:{amqpPort} within " +
                    $"{Timeout.TotalSeconds:0} s. Last error: {lastError}.{node.RecentOutput.FormatTail()}");
            }
            await Task.Delay(PollInterval, ct);
        }
    }

    private static Exception ExitedEarly(ChildProcess node) =>
        EarlyExit.Describe(node, "RabbitMQ", "accepting connections", PortTakenMarkers, takenPorts: "one of its ports");
}

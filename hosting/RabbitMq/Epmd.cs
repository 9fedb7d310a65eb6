using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// A private Erlang port mapper daemon for one node, run in the foreground as our child.
/// Why we start it ourselves: left to itself, Erlang runs <c>epmd -daemon</c>, which detaches, outlives the node
/// and, on the default port 4369, is shared with every other Erlang program on the machine. Ours is on a port
/// of its own, on 127.0.0.1, and stopped after the node.
/// </summary>
internal sealed class Epmd : IAsyncDisposable
{
    private const int PortAttempts = 5;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    private readonly ChildProcess _process;

    private Epmd(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <param name="homeDirectory">The node's HOME: marks the process as belonging to this data directory.</param>
    public static async Task<Epmd> StartAsync(string epmdBinary, string homeDirectory, Action<string> log, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPort.PickFree();
            var process = ChildProcess.Start(new ChildProcessOptions
            {
                Name = "epmd",
                FileName = epmdBinary,
                Arguments = ["-port", port.ToString(CultureInfo.InvariantCulture), "-address", "127.0.0.1"],
                Environment = new Dictionary<string, string?> { ["HOME"] = homeDirectory, ["ERL_EPMD_PORT"] = null, ["ERL_EPMD_ADDRESS"] = null },
                Output = line => log($"epmd: {line}"),
                StopSignal = StopSignal.Terminate,
                StopTimeout = TimeSpan.FromSeconds(5),
            });
            try
            {
                if (await WaitUntilListeningAsync(process, port, ct))
                {
                    return new Epmd(process, port);
                }
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
            // It exited at once: almost surely someone took the port between our pick and its bind.
            await process.DisposeAsync();
            if (attempt == PortAttempts)
            {
                throw new InvalidOperationException(
                    $"epmd exited with code {process.ExitCode} before listening, {PortAttempts} times.{process.RecentOutput.FormatTail()}");
            }
            log($"rabbitmq: epmd could not listen on 127.0.0.1:{port}; trying another port");
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>True once it answers as epmd on the port; false if it exited first. Throws on timeout.</summary>
    private static async Task<bool> WaitUntilListeningAsync(ChildProcess process, int port, CancellationToken ct)
    {
        var elapsed = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            try
            {
                if (await AnswersNamesRequestAsync(port, ct))
                {
                    return true;
                }
            }
            catch (Exception e) when ((e is SocketException or IOException or OperationCanceledException) && !ct.IsCancellationRequested)
            {
                // not listening yet
            }
            if (elapsed.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException(
                    $"epmd (pid {process.Pid}) did not answer on 127.0.0.1:{port} within {ReadyTimeout.TotalSeconds:0} s.{process.RecentOutput.FormatTail()}");
            }
            await Task.WhenAny(process.Exited, Task.Delay(10, ct));
        }
        return false;
    }

    /// <summary>
    /// epmd's NAMES_REQ (length 1, byte 'n') is answered with epmd's own port as 4 bytes, big-endian: proof that
    /// our epmd is the one listening, not something that took the port first.
    /// </summary>
    private static async Task<bool> AnswersNamesRequestAsync(int port, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 0, 1, (byte)'n' }, timeout.Token);
        var reply = new byte[4];
        await stream.ReadExactlyAsync(reply, timeout.Token);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(reply) == port;
    }
}

using System.Globalization;

namespace HrmsAttendance.Bus.Benchmarks;

/// <param name="Seconds">How long the steady load is measured.</param>
/// <param name="Rate">Punches per second of the steady load (and messages per second of the baseline's latency run).</param>
/// <param name="Backlog">Punches submitted while the broker is stopped; the relay's drain of them is timed.</param>
/// <param name="BaselineMessages">Messages the baseline publishes at once (publisher confirms) for its throughput.</param>
/// <param name="BaselineSeconds">How long the baseline's paced latency run lasts.</param>
/// <param name="Senders">Concurrent callers of the paced loops (each waits for its next slot, then makes one call).</param>
/// <param name="SteadyBatch">1: each steady punch is a SubmitPunch; more: SubmitPunches of this many (a slot per call).</param>
/// <param name="BacklogBatch">Punches per SubmitPunches call of the backlog.</param>
/// <param name="Persons">Persons registered per tenant through identity-mapping before the load.</param>
/// <param name="WarmupSeconds">Paced punches before the steady measurement (connections, JIT), not counted.</param>
/// <param name="ViaGateway">The steady punches, the watch and the SSE subscriber go through the gateway (as other systems
/// call us) instead of straight to the services.</param>
public sealed record BusOptions(double Seconds, double Rate, int Backlog, int BaselineMessages, double BaselineSeconds,
    int Senders, int SteadyBatch, int BacklogBatch, int Persons, double WarmupSeconds, bool ViaGateway)
{
    public const string Usage =
        "dotnet run -c Release --project bench/Bus.Benchmarks [-- --seconds 60 --rate 500 --backlog 20000 " +
        "--baseline-messages 10000 --baseline-seconds 10 --senders 32 --steady-batch 1 --backlog-batch 500 --persons 500 --warmup-seconds 5 --via direct|gateway]";

    public static BusOptions Parse(string[] args)
    {
        var options = new BusOptions(Seconds: 60, Rate: 500, Backlog: 20_000, BaselineMessages: 10_000, BaselineSeconds: 10,
            Senders: 32, SteadyBatch: 1, BacklogBatch: 500, Persons: 500, WarmupSeconds: 5, ViaGateway: false);
        if (args.Length % 2 == 1) throw new ArgumentException($"option {args[^1]} needs a value. Usage: {Usage}");
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = Number(value) },
                "--rate" => options with { Rate = Number(value) },
                "--backlog" => options with { Backlog = Integer(value) },
                "--baseline-messages" => options with { BaselineMessages = Integer(value) },
                "--baseline-seconds" => options with { BaselineSeconds = Number(value) },
                "--senders" => options with { Senders = Integer(value) },
                "--steady-batch" => options with { SteadyBatch = Integer(value) },
                "--backlog-batch" => options with { BacklogBatch = Integer(value) },
                "--persons" => options with { Persons = Integer(value) },
                "--warmup-seconds" => options with { WarmupSeconds = Number(value) },
                "--via" => options with
                {
                    ViaGateway = value switch
                    {
                        "gateway" => true,
                        "direct" => false,
                        _ => throw new ArgumentException($"--via is direct or gateway, got {value}"),
                    },
                },
                _ => throw new ArgumentException($"unknown option {args[i]}. Usage: {Usage}"),
            };
        }
        if (options.Seconds <= 0 || options.Rate <= 0 || options.BaselineSeconds <= 0 || options.WarmupSeconds < 0)
            throw new ArgumentException("--seconds, --rate and --baseline-seconds must be positive, --warmup-seconds not negative");
        if (options.Backlog < 0 || options.BaselineMessages < 1 || options.Senders < 1 || options.Persons < 1)
            throw new ArgumentException("--baseline-messages, --senders and --persons must be positive, --backlog not negative");
        if (options.SteadyBatch is < 1 or > 1000 || options.BacklogBatch is < 1 or > 1000)
            throw new ArgumentException("--steady-batch and --backlog-batch are 1..1000 (SubmitPunches takes up to 1,000)");
        return options;
    }

    private static double Number(string value) => double.Parse(value, CultureInfo.InvariantCulture);

    private static int Integer(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    public override string ToString() =>
        $"steady {Rate:0.#} punches/s × {Seconds:0.#} s after {WarmupSeconds:0.#} s warm-up " +
        $"({(SteadyBatch == 1 ? "SubmitPunch" : $"SubmitPunches of {SteadyBatch}")} {(ViaGateway ? "through the gateway" : "straight to punch-ledger")}, {Senders} senders); " +
        $"backlog {Backlog:N0} punches (SubmitPunches of {BacklogBatch}); baseline {BaselineMessages:N0} messages at once and " +
        $"{Rate:0.#}/s × {BaselineSeconds:0.#} s; {Persons} persons per tenant";
}

using System.Globalization;

namespace HrmsAttendance.Load.Benchmarks;

/// <param name="Seconds">How long each load level is measured.</param>
/// <param name="WarmupSeconds">Calls at each level before its measurement starts (connections, pools, JIT), not counted.</param>
/// <param name="Clients">The load levels: numbers of concurrent clients, each calling in a loop, one call at a time.</param>
/// <param name="SoakMinutes">The soak after the levels (0 skips it).</param>
/// <param name="SoakClients">Concurrent clients during the soak.</param>
/// <param name="SampleSeconds">How often the soak samples each service process's working set and thread count.</param>
/// <param name="Persons">Persons registered through identity-mapping before the load; every punch is for one of them.</param>
/// <param name="SubmitPercent">Share of SubmitPunch calls; the rest are reads, half ListDailyResults, half ListPunches.</param>
/// <param name="ClientsPerConnection">Clients sharing one HTTP/2 connection (one GrpcChannel) to the gateway.</param>
public sealed record LoadOptions(double Seconds, double WarmupSeconds, int[] Clients, double SoakMinutes, int SoakClients,
    double SampleSeconds, int Persons, int SubmitPercent, int ClientsPerConnection)
{
    public const string Usage =
        "dotnet run -c Release --project bench/Load.Benchmarks [-- --seconds 60 --warmup-seconds 5 --clients 50,200,500 " +
        "--soak-minutes 10 --soak-clients 200 --sample-seconds 30 --persons 1000 --submit-percent 50 --clients-per-connection 10]";

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions(Seconds: 60, WarmupSeconds: 5, Clients: [50, 200, 500], SoakMinutes: 10, SoakClients: 200,
            SampleSeconds: 30, Persons: 1000, SubmitPercent: 50, ClientsPerConnection: 10);
        if (args.Length % 2 == 1) throw new ArgumentException($"option {args[^1]} needs a value. Usage: {Usage}");
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = Number(value) },
                "--warmup-seconds" => options with { WarmupSeconds = Number(value) },
                "--clients" => options with { Clients = value.Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray() },
                "--soak-minutes" => options with { SoakMinutes = Number(value) },
                "--soak-clients" => options with { SoakClients = int.Parse(value, CultureInfo.InvariantCulture) },
                "--sample-seconds" => options with { SampleSeconds = Number(value) },
                "--persons" => options with { Persons = int.Parse(value, CultureInfo.InvariantCulture) },
                "--submit-percent" => options with { SubmitPercent = int.Parse(value, CultureInfo.InvariantCulture) },
                "--clients-per-connection" => options with { ClientsPerConnection = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}. Usage: {Usage}"),
            };
        }
        if (options.Seconds <= 0 || options.Clients.Length == 0 || options.Clients.Any(n => n < 1))
            throw new ArgumentException("--seconds must be positive and --clients a list of positive numbers");
        if (options.SubmitPercent is < 0 or > 100) throw new ArgumentException("--submit-percent is between 0 and 100");
        if (options.Persons < 1 || options.ClientsPerConnection < 1 || options.SampleSeconds <= 0 || options.SoakClients < 1)
            throw new ArgumentException("--persons, --clients-per-connection, --soak-clients and --sample-seconds must be positive");
        return options;
    }

    private static double Number(string value) => double.Parse(value, CultureInfo.InvariantCulture);

    public override string ToString() =>
        $"levels {string.Join(", ", Clients)} clients × {Seconds:0.#} s (after {WarmupSeconds:0.#} s warm-up each); " +
        $"soak {SoakMinutes:0.#} min at {SoakClients} clients, sampled every {SampleSeconds:0.#} s; " +
        $"{SubmitPercent}% SubmitPunch, {(100 - SubmitPercent) / 2.0:0.#}% ListDailyResults, {(100 - SubmitPercent) / 2.0:0.#}% ListPunches " +
        $"over {Persons} persons; {ClientsPerConnection} clients per HTTP/2 connection";
}

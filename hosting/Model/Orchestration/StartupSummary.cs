using System.Text;

namespace HrmsAttendance.Hosting.Orchestration;

/// <summary>The table printed once every resource has started (or failed to).</summary>
internal static class StartupSummary
{
    public const string StartedMessage = "Distributed application started.";

    public static void Print(RunContext context, TimeSpan elapsed)
    {
        var statuses = context.Notifications.GetAll();
        var rows = statuses.Select(s => new[]
        {
            s.Name, s.Type, s.State, s.Health, s.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            s.Endpoints.Count == 0 ? "-" : string.Join("  ", s.Endpoints.Select(e => e.Name is "http" or "tcp" or "amqp" or "database" ? e.Url : $"{e.Name}={e.Url}")),
        }).ToList();
        string[] header = ["RESOURCE", "TYPE", "STATE", "HEALTH", "PID", "URL"];
        var widths = Enumerable.Range(0, header.Length).Select(i => rows.Select(r => r[i].Length).Append(header[i].Length).Max()).ToArray();

        var table = new StringBuilder();
        table.AppendLine();
        foreach (var row in rows.Prepend(header))
            table.AppendLine("  " + string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        table.AppendLine();
        foreach (var (label, url) in context.Lifecycle.Urls)
            table.AppendLine($"  {label}: {url}");
        table.AppendLine($"  Data: {context.Options.DataDirectory} (kept between runs; --fresh deletes it first)");
        if (context.Lifecycle.OtlpEndpoint is { } otlp)
            table.AppendLine($"  Telemetry (OTLP/HTTP): {otlp}");
        context.Print(table.ToString().TrimEnd() + Environment.NewLine);

        var failed = statuses.Where(s => s.State == KnownResourceStates.FailedToStart).ToList();
        if (failed.Count == 0)
        {
            context.Print($"{StartedMessage} {statuses.Count} resources running in {elapsed.TotalSeconds:0.0} s.");
            return;
        }
        context.Print($"{failed.Count} of {statuses.Count} resources FAILED to start:");
        foreach (var status in failed)
        {
            context.Print($"  {status.Name}: {status.Message}");
            var tail = context.Logs.GetLogs(status.Name, max: 15);
            if (tail.Count > 0 && !status.Message!.StartsWith("not started", StringComparison.Ordinal))
            {
                context.Print($"    last output of {status.Name}:");
                foreach (var line in tail) context.Print($"      {line.Text}");
            }
        }
    }
}

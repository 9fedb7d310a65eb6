namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>
/// An independent, deliberately plain implementation of the daily result rules (ruleset
/// STANDARD_SHIFT_V1, seed 004 §4.2.1 and §6.2, plus the RAW rule), written from the spec as a
/// row-by-row state machine so it shares no structure with the kernel's set-based SQL.
/// </summary>
public static class ReferenceDailyResultCalculator
{
    public const string RulesetVersion = "STANDARD_SHIFT_V1";

    private static readonly TimeSpan ShiftStart = TimeSpan.FromHours(9);
    private static readonly TimeSpan ShiftEnd = TimeSpan.FromHours(18);
    private static readonly TimeSpan WindowBefore = TimeSpan.FromHours(6);
    private static readonly TimeSpan WindowAfter = TimeSpan.FromHours(12);
    private const int LateToleranceMinutes = 5;
    private const int EarlyToleranceMinutes = 5;

    /// <summary>Asia/Shanghai: UTC+8 without daylight saving since 1991.</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly WorkDateOf(DateTime punchUtc) => DateOnly.FromDateTime(punchUtc + Offset);

    /// <summary>The days a punch can change: its local date and the day before.</summary>
    public static IEnumerable<DateOnly> AffectedDays(DateTime punchUtc)
    {
        var local = WorkDateOf(punchUtc);
        return [local.AddDays(-1), local];
    }

    private static DateTime LocalToUtc(DateOnly date, TimeSpan time) =>
        DateTime.SpecifyKind(date.ToDateTime(TimeOnly.MinValue) + time - Offset, DateTimeKind.Utc);

    /// <summary>Whole minutes, rounded down (towards negative infinity), of <paramref name="span"/>.</summary>
    public static int FloorMinutes(TimeSpan span)
    {
        var ticks = span.Ticks;
        var minutes = ticks / TimeSpan.TicksPerMinute;
        if (ticks % TimeSpan.TicksPerMinute != 0 && ticks < 0) minutes--;
        return checked((int)minutes);
    }

    /// <summary>The result of <paramref name="person"/> on <paramref name="workDate"/> from that person's events.</summary>
    public static ResultValues Compute(Guid person, DateOnly workDate, IEnumerable<StoredEvent> events)
    {
        var shiftStart = LocalToUtc(workDate, ShiftStart);
        var shiftEnd = LocalToUtc(workDate, ShiftEnd);
        var windowStart = shiftStart - WindowBefore;
        var windowEnd = shiftEnd + WindowAfter;

        var punches = events
            .Where(e => e.Person == person && e.PunchTime >= windowStart && e.PunchTime < windowEnd)
            .OrderBy(e => e.PunchTime).ThenBy(e => e.Id)
            .ToList();

        var expectOut = false; // the machine expects IN first
        DateTime? openIn = null, firstIn = null, lastOut = null;
        var worked = 0;
        var flags = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var punch in punches)
        {
            // RAW takes the direction the machine expects.
            var isIn = punch.Type switch
            {
                "IN" => true,
                "OUT" => false,
                "RAW" => !expectOut,
                _ => throw new InvalidOperationException($"unknown punch type {punch.Type}"),
            };
            if (isIn)
            {
                if (expectOut) flags.Add("MISSING_OUT");
                openIn = punch.PunchTime;
                expectOut = true;
                firstIn ??= punch.PunchTime;
            }
            else if (expectOut && openIn is not null)
            {
                var minutes = FloorMinutes(punch.PunchTime - openIn.Value);
                if (minutes > 0) worked += minutes;
                lastOut = punch.PunchTime;
                openIn = null;
                expectOut = false;
            }
            else
            {
                flags.Add("MISSING_IN");
            }
        }

        var late = 0;
        var early = 0;
        string status;
        if (punches.Count == 0)
        {
            status = "ABSENT";
            flags.Add("ABSENT");
        }
        else
        {
            if (firstIn is null) flags.Add("MISSING_IN");
            if (expectOut) flags.Add("MISSING_OUT");
            if (firstIn is not null)
            {
                var delta = FloorMinutes(firstIn.Value - shiftStart);
                if (delta > LateToleranceMinutes)
                {
                    late = delta - LateToleranceMinutes;
                    flags.Add("LATE");
                }
            }
            if (lastOut is not null)
            {
                var delta = FloorMinutes(shiftEnd - lastOut.Value);
                if (delta > EarlyToleranceMinutes)
                {
                    early = delta - EarlyToleranceMinutes;
                    flags.Add("EARLY_LEAVE");
                }
            }
            status = flags.Count == 0 ? "PRESENT" : "EXCEPTION";
        }

        return new ResultValues(
            person, workDate, RulesetVersion, status, ResultValues.FormatFlags(flags),
            firstIn, lastOut, worked, late, early,
            punches.Count,
            punches.Count == 0 ? null : punches.Max(p => p.Id),
            punches.Count == 0 ? null : punches.Max(p => p.PunchTime));
    }

    /// <summary>
    /// What the doors should have written for a tenant whose ledger holds <paramref name="events"/>:
    /// one result per (person, day) some event affects.
    /// </summary>
    public static List<ResultValues> ComputeAll(IReadOnlyList<StoredEvent> events) =>
        events
            .GroupBy(e => e.Person)
            .SelectMany(person => person
                .SelectMany(e => AffectedDays(e.PunchTime))
                .Distinct()
                .Select(day => Compute(person.Key, day, person)))
            .ToList();
}

using HrmsAttendance.PunchLedger.Data;

namespace HrmsAttendance.PunchLedger.Benchmarks;

/// <summary>
/// Realistic punches: each person punches IN around 09:00 and OUT around 18:00 (Asia/Shanghai)
/// on consecutive days, so every punch lands in days that already hold results, as in production.
/// The same sequence feeds the door and the baseline. The people are registered persons of the tenant (the door records
/// punches of known, active persons only).
/// </summary>
public sealed class PunchGenerator(Guid[] people, int seed)
{
    private readonly Random random = new(seed);
    private readonly int[] punchesSoFar = new int[people.Length];
    private long sequence;
    private static readonly DateTimeOffset FirstDay = new(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(8));

    public PunchCommand Next()
    {
        var person = random.Next(people.Length);
        var n = punchesSoFar[person]++;
        var day = FirstDay.AddDays(n / 2);
        var isIn = n % 2 == 0;
        var time = day.AddHours(isIn ? 9 : 18).AddMinutes(random.Next(-20, 20)).AddSeconds(random.Next(60));
        var id = Interlocked.Increment(ref sequence);
        return new PunchCommand(people[person], time, isIn ? "IN" : "OUT", "MANUAL", null, $"bench-{seed}-{id}",
            """{"device":"bench"}""");
    }

    public List<PunchCommand> Take(int count) => Enumerable.Range(0, count).Select(_ => Next()).ToList();

    private int importPerson;
    private int importBlock;

    /// <summary>
    /// Import-shaped punches (issue 13): persons one after the other, each with <see cref="ImportDays"/> consecutive days
    /// in order, IN around 08:50–09:10 and OUT around 18:05–18:25, as a file sorted by employee and date gives them.
    /// Once every person has had a block of days, the next block of days starts.
    /// </summary>
    public List<PunchCommand> TakeImportShaped(int count)
    {
        var punches = new List<PunchCommand>(count);
        while (punches.Count < count)
        {
            var person = people[importPerson];
            for (var d = 0; d < ImportDays && punches.Count < count; d++)
            {
                var day = FirstDay.AddDays(1000 + importBlock * ImportDays + d);
                foreach (var (hour, minute, type) in new[] { (8, 50, "IN"), (18, 5, "OUT") })
                {
                    var time = day.AddHours(hour).AddMinutes(minute + random.Next(20)).AddSeconds(random.Next(60));
                    punches.Add(new PunchCommand(person, time, type, "IMPORT", null,
                        $"bench-import-{seed}-{Interlocked.Increment(ref sequence)}", """{"line":1}"""));
                }
            }
            if (++importPerson == people.Length)
            {
                importPerson = 0;
                importBlock++;
            }
        }
        return punches;
    }

    public const int ImportDays = 20;
}

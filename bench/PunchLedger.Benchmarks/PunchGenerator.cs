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
}

namespace HrmsAttendance.Load.Benchmarks;

/// <summary>One reading of a service process during the soak.</summary>
public sealed record ProcessSample(double Minutes, double WorkingSetMiB, int Threads);

/// <summary>
/// Whether a series grew over the soak: its mean over the first and over the last minute, and the least-squares slope
/// per minute over all samples. Growth is flagged when both say so: the fitted line rises by more than
/// <see cref="GrowthThreshold"/> of the first minute's mean over the soak, and the last minute is that much above the first
/// (one of the two alone is noise: a GC that ran just before the last sample, a spike in the middle).
/// </summary>
public sealed record SoakTrend(double FirstMinute, double LastMinute, double SlopePerMinute, double Minutes)
{
    public const double GrowthThreshold = 0.10;

    public double FittedGrowth => SlopePerMinute * Minutes;

    public bool Grows =>
        FittedGrowth > GrowthThreshold * FirstMinute && LastMinute > (1 + GrowthThreshold) * FirstMinute;

    public static SoakTrend Of(IReadOnlyList<(double Minutes, double Value)> samples)
    {
        if (samples.Count < 2) throw new ArgumentException("a trend needs at least two samples", nameof(samples));
        var end = samples[^1].Minutes;
        var first = samples.Where(s => s.Minutes <= samples[0].Minutes + 1).Average(s => s.Value);
        var last = samples.Where(s => s.Minutes >= end - 1).Average(s => s.Value);
        var meanX = samples.Average(s => s.Minutes);
        var meanY = samples.Average(s => s.Value);
        var covariance = samples.Sum(s => (s.Minutes - meanX) * (s.Value - meanY));
        var variance = samples.Sum(s => (s.Minutes - meanX) * (s.Minutes - meanX));
        return new SoakTrend(first, last, variance == 0 ? 0 : covariance / variance, end - samples[0].Minutes);
    }
}

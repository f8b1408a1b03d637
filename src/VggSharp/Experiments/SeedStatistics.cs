namespace VggSharp.Experiments;

/// <summary>The mean of a row's errors over its seeds and their sample standard deviation (0 with one seed).</summary>
/// <param name="Mean">The mean, a fraction.</param>
/// <param name="StandardDeviation">The sample standard deviation (n - 1), a fraction.</param>
/// <param name="Count">The seeds.</param>
public sealed record SeedStatistics(double Mean, double StandardDeviation, int Count)
{
    /// <summary>The statistics of <paramref name="values"/> (at least one).</summary>
    public static SeedStatistics Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("Statistics need at least one value.", nameof(values));
        double mean = values.Average();
        double sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return new(mean, sd, values.Count);
    }
}

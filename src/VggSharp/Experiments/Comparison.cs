namespace VggSharp.Experiments;

/// <summary>
/// Whether one row has a lower top-1 error than another, judged against the spread over seeds: the difference of
/// the means counts when it exceeds the noise of a difference of two single runs, sqrt(sd1² + sd2²). With one seed
/// there is no estimate of the noise, and the sign decides.
/// </summary>
/// <param name="Better">The row the paper finds better.</param>
/// <param name="Worse">The row the paper finds worse.</param>
/// <param name="Difference">Mean top-1 error of <paramref name="Worse"/> minus that of <paramref name="Better"/> (positive: the paper's way), a fraction.</param>
/// <param name="Noise">sqrt(sd1² + sd2²) of the two rows' top-1 errors, a fraction.</param>
/// <param name="PaperDifference">The same difference in the paper's top-1 errors, in points.</param>
public sealed record Comparison(RowResult Better, RowResult Worse, double Difference, double Noise, double PaperDifference)
{
    /// <summary>Compares <paramref name="better"/> and <paramref name="worse"/>.</summary>
    public static Comparison Of(RowResult better, RowResult worse)
    {
        SeedStatistics b = better.Top1, w = worse.Top1;
        return new(better, worse, w.Mean - b.Mean, Math.Sqrt(b.StandardDeviation * b.StandardDeviation + w.StandardDeviation * w.StandardDeviation),
            worse.Row.Paper.Top1 - better.Row.Paper.Top1);
    }

    /// <summary>The paper's way by more than the noise, against it by more than the noise, or neither.</summary>
    public ClaimVerdict Verdict => Difference > Noise ? ClaimVerdict.Holds : Difference < -Noise ? ClaimVerdict.DoesNotHold : ClaimVerdict.WithinNoise;
}

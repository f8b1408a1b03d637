using VggSharp.Evaluation;

namespace VggSharp.Transfer;

/// <summary>The paper's transfer measures beyond average precision: mean class recall, and a mean and its spread over splits.</summary>
public static class TransferMetrics
{
    /// <summary>
    /// The mean over classes of the share of a class's test images predicted as that class (Caltech's measure, which
    /// weighs every class alike whatever its size); classes without test images are left out.
    /// </summary>
    public static double MeanClassRecall(ConfusionMatrix confusion)
    {
        var recalls = Enumerable.Range(0, confusion.Classes).Select(confusion.ClassAccuracy).OfType<double>().ToList();
        return recalls.Count == 0 ? double.NaN : recalls.Average();
    }

    /// <summary>The mean of <paramref name="values"/> and their sample standard deviation (n - 1; 0 for a single value).</summary>
    public static (double Mean, double StandardDeviation) MeanAndDeviation(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return (double.NaN, double.NaN);
        double mean = values.Average();
        if (values.Count == 1) return (mean, 0);
        double squares = values.Sum(v => (v - mean) * (v - mean));
        return (mean, Math.Sqrt(squares / (values.Count - 1)));
    }
}

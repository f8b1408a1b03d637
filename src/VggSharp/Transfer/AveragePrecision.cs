namespace VggSharp.Transfer;

/// <summary>
/// Average precision of a ranking (the paper's VOC measure): images sorted by decreasing score, precision and recall
/// taken at each distinct score (tied images enter together, as scikit-learn's precision_recall_curve does).
/// </summary>
public static class AveragePrecision
{
    /// <summary>
    /// The area under the precision-recall curve as scikit-learn's average_precision_score computes it: the sum over
    /// distinct scores of (recall gained there) x (precision there). NaN when no image is positive.
    /// </summary>
    public static double Area(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive)
    {
        double area = 0, previousRecall = 0;
        foreach (var (precision, recall) in Curve(scores, positive))
        {
            area += (recall - previousRecall) * precision;
            previousRecall = recall;
        }
        return CountPositives(positive) == 0 ? double.NaN : area;
    }

    /// <summary>
    /// VOC-2007's 11-point average precision: the mean over recall levels 0, 0.1, ..., 1 of the highest precision at
    /// that recall or above (0 where none reaches it). NaN when no image is positive.
    /// </summary>
    public static double ElevenPoint(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive)
    {
        if (CountPositives(positive) == 0) return double.NaN;
        var curve = Curve(scores, positive);
        double sum = 0;
        for (int t = 0; t <= 10; t++)
        {
            double level = t / 10.0, best = 0;
            // Computed as t / 10 rather than summed, so 0.3 is the double nearest 0.3 and a recall of exactly 3/10 reaches it.
            foreach (var (precision, recall) in curve)
                if (recall >= level) best = Math.Max(best, precision);
            sum += best;
        }
        return sum / 11;
    }

    /// <summary>(precision, recall) at each distinct score, from the highest down.</summary>
    private static List<(double Precision, double Recall)> Curve(ReadOnlySpan<double> scores, ReadOnlySpan<bool> positive)
    {
        if (scores.Length != positive.Length) throw new ArgumentException($"{scores.Length} scores for {positive.Length} labels.", nameof(positive));
        foreach (double s in scores)
            if (double.IsNaN(s)) throw new ArgumentException("A score is NaN.", nameof(scores));
        var order = Enumerable.Range(0, scores.Length).ToArray();
        var keys = scores.ToArray();
        // Stable, by decreasing score: the order of tied images does not matter, as they enter together.
        Array.Sort(keys.Select(k => -k).ToArray(), order);
        int positives = CountPositives(positive), truePositives = 0;
        var curve = new List<(double, double)>();
        for (int i = 0; i < order.Length; i++)
        {
            if (positive[order[i]]) truePositives++;
            bool lastOfTie = i + 1 == order.Length || keys[order[i + 1]] != keys[order[i]];
            if (lastOfTie) curve.Add(((double)truePositives / (i + 1), positives == 0 ? 0 : (double)truePositives / positives));
        }
        return curve;
    }

    private static int CountPositives(ReadOnlySpan<bool> positive)
    {
        int count = 0;
        foreach (bool p in positive)
            if (p) count++;
        return count;
    }
}

namespace VggSharp.Evaluation;

/// <summary>
/// Where classes fall in a row of scores (logits or probabilities: the order is the same). Ties go to the lower class
/// index, as argmax does; NaN ranks below every number, so a NaN score is never a correct prediction.
/// </summary>
internal static class ScoreRanking
{
    /// <summary>The predicted class: the highest score, the first one on a tie; 0 when every score is NaN.</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int j = 1; j < scores.Length; j++)
        {
            if (scores[j] > scores[best] || (float.IsNaN(scores[best]) && !float.IsNaN(scores[j]))) best = j;
        }
        return best;
    }

    /// <summary>How many classes rank above <paramref name="label"/> (0 when it is the prediction), without sorting.</summary>
    public static int RankOf(ReadOnlySpan<float> scores, int label)
    {
        float score = scores[label];
        if (float.IsNaN(score)) return scores.Length;
        int ahead = 0;
        for (int j = 0; j < scores.Length; j++)
        {
            if (scores[j] > score || (j < label && scores[j] == score)) ahead++;
        }
        return ahead;
    }

    /// <summary>Checks a row against the class count and the label against the row.</summary>
    public static void Check(ReadOnlySpan<float> scores, int label, int classes)
    {
        if (scores.Length != classes) throw new ArgumentException($"A row of scores has one per class ({classes}), got {scores.Length}.", nameof(scores));
        if ((uint)label >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(label), label, $"Labels are in [0, {classes}).");
    }
}

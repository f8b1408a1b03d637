namespace VggSharp.Localisation;

/// <summary>
/// OverFeat's greedy merging of the boxes one class gets from every window and scale (Sermanet et al., 2014, section
/// 4.3), as the paper's dense localisation does: while two boxes overlap enough, the most overlapping pair is replaced
/// by their average weighted by confidence, with the sum of their confidences. Boxes predicted by many windows thus
/// pile up their confidence; the class's answer is the merged box with the largest. Ties go to the earlier pair, so
/// the result depends only on the input's order.
/// </summary>
public static class GreedyBoxMerge
{
    /// <summary>The default intersection over union above which two boxes are merged.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>Merges <paramref name="boxes"/>; returns the merged boxes, the most confident first.</summary>
    public static List<ScoredBox> Merge(IReadOnlyList<ScoredBox> boxes, double threshold = DefaultThreshold)
    {
        if (!(threshold is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The merge threshold is an intersection over union, between 0 and 1.");
        var live = boxes.Where(b => b.Score > 0 && b.Box.Area > 0).ToList();
        while (live.Count > 1)
        {
            int bestI = -1, bestJ = -1;
            double best = threshold;
            for (int i = 0; i < live.Count; i++)
            {
                for (int j = i + 1; j < live.Count; j++)
                {
                    double iou = live[i].Box.IntersectionOverUnion(live[j].Box);
                    if (iou > best)
                    {
                        (best, bestI, bestJ) = (iou, i, j);
                    }
                }
            }
            if (bestI < 0) break;
            live[bestI] = Combine(live[bestI], live[bestJ]);
            live.RemoveAt(bestJ);
        }
        return [.. live.OrderByDescending(b => b.Score)];
    }

    /// <summary>The confidence-weighted average of two boxes, with the sum of their confidences.</summary>
    public static ScoredBox Combine(ScoredBox a, ScoredBox b)
    {
        double total = a.Score + b.Score, wa = a.Score / total, wb = b.Score / total;
        return new ScoredBox(new BoundingBox(
            wa * a.Box.Left + wb * b.Box.Left, wa * a.Box.Top + wb * b.Box.Top,
            wa * a.Box.Right + wb * b.Box.Right, wa * a.Box.Bottom + wb * b.Box.Bottom), total);
    }
}

using VggSharp.Randomness;

namespace VggSharp.Data;

/// <summary>
/// The Caltech protocol's random split (the paper's Appendix B): N training images drawn at random from each class,
/// split k of K drawn independently. Each draw is a function of (seed, split) only, so the transfer experiment and
/// <c>vggsharp train --per-class N --split k</c> take the very same images.
/// </summary>
public static class PerClassSplit
{
    /// <summary>The seed splits are drawn from unless told otherwise.</summary>
    public const ulong DefaultSeed = 1;

    /// <summary>
    /// The indices of <paramref name="perClass"/> images of each class of <paramref name="data"/> for split
    /// <paramref name="split"/>, sorted, so data set order is kept. A class with fewer images is an error naming it.
    /// </summary>
    public static int[] Draw(IImageDataset data, int perClass, int split, ulong seed = DefaultSeed) =>
        Draw([.. Enumerable.Range(0, data.Count).Select(data.LabelOf)], data.ClassNames, perClass, split, seed);

    /// <summary>The same draw over items with <paramref name="labels"/> (descriptors, say) of <paramref name="classNames"/>.</summary>
    public static int[] Draw(IReadOnlyList<int> labels, IReadOnlyList<string> classNames, int perClass, int split, ulong seed = DefaultSeed)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "At least one image per class.");
        ArgumentOutOfRangeException.ThrowIfNegative(split);
        var byClass = Enumerable.Range(0, classNames.Count).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Count; i++) byClass[labels[i]].Add(i);
        var chosen = new List<int>(perClass * byClass.Length);
        for (int c = 0; c < byClass.Length; c++)
        {
            var images = byClass[c];
            if (images.Count < perClass)
                throw new ArgumentException($"Class {classNames[c]} has {images.Count} images, fewer than the {perClass} per class asked for.");
            chosen.AddRange(Shuffled(images, CounterRandom.Key(seed, (ulong)split, (ulong)c)).Take(perClass));
        }
        chosen.Sort();
        return [.. chosen];
    }

    /// <summary>A Fisher-Yates shuffle of <paramref name="items"/> drawn from <paramref name="key"/>.</summary>
    public static List<int> Shuffled(IReadOnlyList<int> items, ulong key)
    {
        var order = items.ToList();
        for (int i = order.Count - 1; i > 0; i--)
        {
            int j = (int)(CounterRandom.Bits(key, (ulong)i) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}

using VggSharp.Randomness;

namespace VggSharp.Data;

/// <summary>The order in which an epoch visits a data set: a permutation drawn from (seed, epoch), or the natural order.</summary>
public static class EpochOrder
{
    /// <summary>The indices 0..count-1 in epoch <paramref name="epoch"/>'s order (Fisher-Yates with counter-based draws).</summary>
    public static int[] Of(int count, ulong seed, int epoch, bool shuffle)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        if (!shuffle) return order;
        ulong key = CounterRandom.Key(seed, 0x5348554646UL, (ulong)epoch);
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)(CounterRandom.Bits(key, (ulong)i) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}

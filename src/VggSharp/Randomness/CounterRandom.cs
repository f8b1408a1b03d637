using System.Runtime.CompilerServices;

namespace VggSharp.Randomness;

/// <summary>
/// A counter-based random source: each value is a pure function of a key and a counter, so any element can be
/// drawn independently of the others and of how work is split across threads or processes. A dropout mask or an
/// initial weight therefore depends only on (seed, purpose, index), never on thread count or batch split.
/// </summary>
public static class CounterRandom
{
    /// <summary>Derives a key from a seed and any number of stream identifiers (layer index, step, sample index...).</summary>
    public static ulong Key(ulong seed, params ReadOnlySpan<ulong> streams)
    {
        ulong k = Mix(seed ^ 0x9E3779B97F4A7C15UL);
        foreach (ulong s in streams) k = Mix(k ^ Mix(s + 0x632BE59BD9B4E019UL));
        return k;
    }

    /// <summary>64 random bits for (key, counter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(ulong key, ulong counter) => Mix(key + Mix(counter * 0xD1B54A32D192ED03UL + 1));

    /// <summary>A uniform float in [0, 1) for (key, counter), using 24 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Uniform(ulong key, ulong counter) => (Bits(key, counter) >> 40) * (1f / (1 << 24));

    /// <summary>A uniform double in (0, 1] for (key, counter), using 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double UniformOpenClosed(ulong key, ulong counter) => ((Bits(key, counter) >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>A standard normal value for (key, counter) by the Box-Muller transform.</summary>
    public static double Normal(ulong key, ulong counter)
    {
        double u1 = UniformOpenClosed(key, 2 * counter), u2 = UniformOpenClosed(key, 2 * counter + 1);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>The SplitMix64 finaliser: a bijective mix with full avalanche.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VggSharp.Tensors;

/// <summary>Finds NaN and infinity in float data (weights read from a file, inputs, outputs), which must never pass silently.</summary>
internal static class FiniteValues
{
    /// <summary>The index of the first NaN or infinite element of <paramref name="values"/>, or -1 when all are finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // x - x is 0 for every finite x and NaN for NaN and both infinities.
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (int v = 0; v < vectors.Length; v++, i += Vector<float>.Count)
            {
                if (!Vector.EqualsAll(vectors[v] - vectors[v], Vector<float>.Zero)) break;
            }
        }
        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) return i;
        }
        return -1;
    }

    /// <summary>"NaN", "infinity" or "-infinity", as messages name a value.</summary>
    public static string Describe(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "infinity" : "-infinity";
}

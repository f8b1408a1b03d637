using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Fast;

/// <summary>SGD's momentum and weight-decay update of one parameter.</summary>
internal static class SgdKernels
{
    /// <summary>
    /// v = momentum * v + (g + decay * w); w = w - learningRate * v. The vector body and the scalar tail do the same
    /// operations in the same order, so results do not depend on the vector width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update(Span<float> weights, ReadOnlySpan<float> gradients, Span<float> velocity, float learningRate, float momentum, float decay)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && weights.Length >= Vector<float>.Count)
        {
            ref float w = ref MemoryMarshal.GetReference(weights);
            ref float g = ref MemoryMarshal.GetReference(gradients);
            ref float v = ref MemoryMarshal.GetReference(velocity);
            var lr = new Vector<float>(learningRate);
            var m = new Vector<float>(momentum);
            var wd = new Vector<float>(decay);
            for (; i <= weights.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var wi = Vector.LoadUnsafe(ref w, (nuint)i);
                var vi = m * Vector.LoadUnsafe(ref v, (nuint)i) + (Vector.LoadUnsafe(ref g, (nuint)i) + wd * wi);
                vi.StoreUnsafe(ref v, (nuint)i);
                (wi - lr * vi).StoreUnsafe(ref w, (nuint)i);
            }
        }
        for (; i < weights.Length; i++)
        {
            float vi = momentum * velocity[i] + (gradients[i] + decay * weights[i]);
            velocity[i] = vi;
            weights[i] -= learningRate * vi;
        }
    }
}

using VggSharp.Randomness;
using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>Inverted-dropout masks, parallel over batch items (each element depends only on its key and place, so any split gives the same bits).</summary>
internal static unsafe class DropoutKernels
{
    public static void Mask(Workers workers, int grain, Tensor mask, float probability, ReadOnlySpan<ulong> sampleKeys)
    {
        fixed (ulong* keys = sampleKeys)
        {
            var job = new MaskItems(mask.Data(), mask.Shape.ItemSize, probability, keys);
            workers.ForRanges(mask.Shape.N, Math.Max(1, grain / Math.Max(mask.Shape.ItemSize, 1)), ref job);
        }
    }

    private readonly struct MaskItems(float* mask, int itemSize, float probability, ulong* keys) : IRangePiece
    {
        public void Run(int first, int count)
        {
            float keep = 1f / (1f - probability);
            for (int n = first; n < first + count; n++)
            {
                float* item = mask + (long)n * itemSize;
                for (int i = 0; i < itemSize; i++) item[i] = CounterRandom.Uniform(keys[n], (ulong)i) < probability ? 0f : keep;
            }
        }
    }
}

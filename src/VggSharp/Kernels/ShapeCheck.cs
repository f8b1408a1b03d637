using VggSharp.Tensors;

namespace VggSharp.Kernels;

/// <summary>Argument validation shared by every backend, so that a wrong shape fails with a message rather than a wild write.</summary>
internal static class ShapeCheck
{
    public static void Conv(Tensor input, Tensor weight, Tensor output, int padding)
    {
        Rank(input, 4, "input"); Rank(weight, 4, "weight"); Rank(output, 4, "output");
        int k = weight.Shape[2];
        if (weight.Shape[3] != k) throw new ArgumentException($"Convolution kernels must be square, got {weight.Shape}.");
        if (padding < 0) throw new ArgumentException("Padding must not be negative.");
        if (weight.Shape[1] != input.Shape.C)
            throw new ArgumentException($"Weight {weight.Shape} expects {weight.Shape[1]} input channels but the input {input.Shape} has {input.Shape.C}.");
        int oh = input.Shape.H + 2 * padding - k + 1, ow = input.Shape.W + 2 * padding - k + 1;
        Expect(output, [input.Shape.N, weight.Shape[0], oh, ow], "output");
    }

    /// <summary>Checks <paramref name="t"/>'s dimensions; a span rather than a <see cref="TensorShape"/>, so a passing check allocates nothing.</summary>
    public static void Expect(Tensor t, ReadOnlySpan<int> dimensions, string name)
    {
        if (!t.Shape.Dimensions.SequenceEqual(dimensions))
            throw new ArgumentException($"{name} has shape {t.Shape}, expected {new TensorShape(dimensions.ToArray())}.");
    }

    public static void Rank(Tensor t, int rank, string name)
    {
        if (t.Shape.Rank != rank) throw new ArgumentException($"{name} must have rank {rank}, got {t.Shape}.");
    }

    public static void SameShape(Tensor a, Tensor b, string nameA, string nameB)
    {
        if (a.Shape != b.Shape) throw new ArgumentException($"{nameA} {a.Shape} and {nameB} {b.Shape} must have the same shape.");
    }

    public static void Linear(Tensor input, Tensor weight, Tensor output)
    {
        Rank(input, 2, "input"); Rank(weight, 2, "weight"); Rank(output, 2, "output");
        if (weight.Shape[1] != input.Shape[1])
            throw new ArgumentException($"Weight {weight.Shape} expects {weight.Shape[1]} inputs but the input {input.Shape} has {input.Shape[1]}.");
        Expect(output, [input.Shape[0], weight.Shape[0]], "output");
    }

    public static void Pool(Tensor input, Tensor output, Tensor argmax)
    {
        Rank(input, 4, "input");
        var s = input.Shape;
        if (s.H < 2 || s.W < 2) throw new ArgumentException($"2x2 max pooling needs at least 2x2 input, got {s}.");
        Expect(output, [s.N, s.C, s.H / 2, s.W / 2], "output");
        if (argmax.Length != output.Length) throw new ArgumentException($"argmax has {argmax.Length} entries, expected {output.Length}.");
    }

    public static void Channels(Tensor input, Tensor perChannel, string name)
    {
        if (perChannel.Shape.Rank != 1 || perChannel.Length != input.Shape[1])
            throw new ArgumentException($"{name} has shape {perChannel.Shape}, expected [{input.Shape[1]}].");
    }

    /// <summary>Checks that per-channel sums have <paramref name="perChannel"/> values for each of <paramref name="input"/>'s channels.</summary>
    public static void Sums(Tensor input, ReadOnlySpan<double> sums, int perChannel)
    {
        int expected = perChannel * input.Shape[1];
        if (sums.Length != expected) throw new ArgumentException($"The sums have {sums.Length} values; {input.Shape} needs {expected}.");
    }

    /// <summary>Checks that a batch's count of values per channel is positive.</summary>
    public static void Count(long count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A batch has at least one value per channel.");
    }

    public static void Labels(Tensor logits, ReadOnlySpan<int> labels)
    {
        Rank(logits, 2, "logits");
        if (labels.Length != logits.Shape[0]) throw new ArgumentException($"{labels.Length} labels for a batch of {logits.Shape[0]}.");
        int classes = logits.Shape[1];
        foreach (int l in labels)
            if ((uint)l >= (uint)classes) throw new ArgumentException($"Label {l} is outside [0, {classes}).");
    }

    /// <summary>Checks that a loss's running totals are a tensor [2]: the loss sum and the correct count.</summary>
    public static void Totals(Tensor totals) => Expect(totals, [2], "totals");

    /// <summary>Checks that there is one dropout key per batch item of <paramref name="mask"/>.</summary>
    public static void Keys(Tensor mask, ReadOnlySpan<ulong> keys)
    {
        if (keys.Length != mask.Shape.N) throw new ArgumentException($"{keys.Length} dropout keys for a batch of {mask.Shape.N}.");
    }
}

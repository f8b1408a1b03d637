using VggSharp.Evaluation;
using VggSharp.Tensors;

namespace VggSharp.Kernels.Fast;

/// <summary>Row-wise softmax and softmax cross-entropy with its loss totals; rows are short (classes), so one thread suffices.</summary>
internal static class SoftmaxKernels
{
    public static void Softmax(Tensor logits, Tensor probabilities)
    {
        int rows = logits.Shape[0], classes = logits.Shape[1];
        for (int n = 0; n < rows; n++) SoftmaxRow(logits.Span.Slice(n * classes, classes), probabilities.Span.Slice(n * classes, classes));
    }

    public static void CrossEntropy(Tensor logits, ReadOnlySpan<int> labels, Tensor probabilities, Tensor gradLogits, float share, Tensor totals)
    {
        int rows = logits.Shape[0], classes = logits.Shape[1], correct = 0;
        double loss = 0;
        for (int n = 0; n < rows; n++)
        {
            ReadOnlySpan<float> z = logits.Span.Slice(n * classes, classes);
            Span<float> p = probabilities.Span.Slice(n * classes, classes), g = gradLogits.Span.Slice(n * classes, classes);
            var (max, sum) = SoftmaxRow(z, p);
            // log-softmax from the logits keeps the loss finite even when a probability underflows to 0.
            loss -= z[labels[n]] - max - Math.Log(sum);
            ElementWise.Apply(new NormalizeOperator(0f, 1f / rows, 0f), p, p, g);
            g[labels[n]] -= 1f / rows;
            // Weighted after the division, as a separate scaling pass would, so share 1 changes nothing.
            if (share != 1f) ElementWise.Apply(new ScaleOperator(share), g, g, g);
            if (ScoreRanking.ArgMax(p) == labels[n]) correct++;
        }
        var sums = totals.Span;
        sums[0] += (float)loss;
        sums[1] += correct;
    }

    /// <summary>Writes softmax(z) into p and returns the shift (the maximum) and the sum of the shifted exponentials.</summary>
    private static (float Max, float Sum) SoftmaxRow(ReadOnlySpan<float> z, Span<float> p)
    {
        float max = float.NegativeInfinity;
        foreach (float v in z) max = Math.Max(max, v);
        ElementWise.Apply(new ExpShiftedOperator(max), z, z, p);
        float sum = ElementWise.Sum(new FirstOperator(), p, p);
        ElementWise.Apply(new NormalizeOperator(0f, 1f / sum, 0f), p, p, p);
        return (max, sum);
    }
}

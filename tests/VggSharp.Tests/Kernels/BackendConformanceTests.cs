using VggSharp.Kernels;
using VggSharp.Kernels.Reference;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Kernels;

/// <summary>
/// Every <see cref="IBackend"/> method of every other registered backend against the reference, on awkward shapes.
/// The reference itself is checked by the gradient checks (backward against its forward) and, through these, by the
/// fast backend's agreement with torchvision's logits.
/// </summary>
public class BackendConformanceTests
{
    private const double Tolerance = 1e-4;
    private static readonly ReferenceBackend Oracle = new();

    /// <summary>
    /// (batch, channels, height, width, outputs, kernel, padding); the last case spans several im2col bands and several
    /// Winograd blocks. 3x3 cases have outputs whose sides are not multiples of Winograd's 4x4 tiles, and padding 0 to 2.
    /// </summary>
    public static readonly (int N, int C, int H, int W, int O, int K, int P)[] ConvCases =
    [
        (1, 3, 7, 13, 5, 3, 1),
        (3, 5, 13, 7, 17, 3, 1),
        (1, 17, 19, 13, 5, 1, 0),
        (3, 5, 7, 7, 3, 1, 1),
        (3, 3, 13, 19, 5, 7, 0),
        (1, 5, 1, 1, 3, 3, 1),
        (1, 3, 19, 13, 5, 7, 1),
        (2, 6, 11, 9, 7, 3, 0),
        (2, 7, 9, 10, 13, 3, 2),
        (1, 64, 40, 100, 3, 3, 1),
    ];

    /// <summary>
    /// Small output planes, which the fast backend lowers several images at a time: 1x1 to 7x7 maps, pointwise and
    /// 7x7 kernels, one image, a chunk of two plus one of a single image (C 1000), and 130 images in uneven chunks; and
    /// 37 one-image chunks of a thin first layer, whose filter gradient is summed in 16 uneven parts.
    /// </summary>
    public static readonly (int N, int C, int H, int W, int O, int K, int P)[] ChunkedConvCases =
    [
        (130, 9, 1, 1, 6, 3, 1),
        (3, 4, 2, 2, 5, 3, 1),
        (1, 8, 4, 4, 5, 3, 1),
        (17, 6, 4, 4, 7, 1, 0),
        (17, 2, 2, 2, 33, 1, 1),
        (17, 5, 7, 7, 6, 7, 0),
        (3, 1000, 7, 7, 2, 3, 1),
        (130, 64, 7, 7, 8, 3, 1),
        (130, 400, 7, 7, 3, 1, 0),
        (37, 1, 16, 16, 16, 3, 1),
    ];

    /// <summary>(batch, inputs, outputs).</summary>
    public static readonly (int N, int In, int Out)[] LinearCases = [(1, 1, 1), (3, 37, 53), (1, 53, 37), (5, 100, 17)];

    public static readonly int[][] ActivationShapes = [[1, 1, 1, 1], [3, 5, 7, 13], [1, 17, 19, 1], [3, 37]];

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void Conv2dForwardMatchesReference(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var (n, c, h, w, o, k, p) in ConvCases.Concat(ChunkedConvCases))
        {
            using var input = TestData.Random(1, n, c, h, w);
            using var weight = TestData.Random(2, o, c, k, k);
            using var bias = TestData.Random(3, o);
            using var expected = new Tensor(n, o, h + 2 * p - k + 1, w + 2 * p - k + 1);
            using var actual = TestData.Random(4, expected.Shape.ToArray());
            Oracle.Conv2dForward(input, weight, bias, expected, p);
            backend.Conv2dForward(input, weight, bias, actual, p);
            AssertClose(actual, expected, $"conv forward {(n, c, h, w, o, k, p)}");
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void Conv2dBackwardDataOverwritesLikeReference(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var (n, c, h, w, o, k, p) in ConvCases.Concat(ChunkedConvCases))
        {
            using var gradOutput = TestData.Random(5, n, o, h + 2 * p - k + 1, w + 2 * p - k + 1);
            using var weight = TestData.Random(6, o, c, k, k);
            using var expected = TestData.Random(7, n, c, h, w);
            using var actual = TestData.Random(8, n, c, h, w);
            Oracle.Conv2dBackwardData(gradOutput, weight, expected, p);
            backend.Conv2dBackwardData(gradOutput, weight, actual, p);
            AssertClose(actual, expected, $"conv backward data {(n, c, h, w, o, k, p)}");
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void Conv2dBackwardFilterAccumulatesLikeReference(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var (n, c, h, w, o, k, p) in ConvCases.Concat(ChunkedConvCases))
        {
            using var input = TestData.Random(9, n, c, h, w);
            using var gradOutput = TestData.Random(10, n, o, h + 2 * p - k + 1, w + 2 * p - k + 1);
            using var expectedWeight = TestData.Random(11, o, c, k, k);
            using var expectedBias = TestData.Random(12, o);
            using var actualWeight = expectedWeight.Clone();
            using var actualBias = expectedBias.Clone();
            Oracle.Conv2dBackwardFilter(input, gradOutput, expectedWeight, expectedBias, p);
            backend.Conv2dBackwardFilter(input, gradOutput, actualWeight, actualBias, p);
            AssertClose(actualWeight, expectedWeight, $"conv weight gradient {(n, c, h, w, o, k, p)}");
            AssertClose(actualBias, expectedBias, $"conv bias gradient {(n, c, h, w, o, k, p)}");
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void LinearMatchesReference(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var (n, inputs, outputs) in LinearCases)
        {
            using var input = TestData.Random(13, n, inputs);
            using var weight = TestData.Random(14, outputs, inputs);
            using var bias = TestData.Random(15, outputs);
            using var expected = new Tensor(n, outputs);
            using var actual = TestData.Random(16, n, outputs);
            Oracle.LinearForward(input, weight, bias, expected);
            backend.LinearForward(input, weight, bias, actual);
            AssertClose(actual, expected, $"linear forward {(n, inputs, outputs)}");

            using var gradOutput = TestData.Random(17, n, outputs);
            using var expectedInput = TestData.Random(18, n, inputs);
            using var actualInput = TestData.Random(19, n, inputs);
            Oracle.LinearBackwardData(gradOutput, weight, expectedInput);
            backend.LinearBackwardData(gradOutput, weight, actualInput);
            AssertClose(actualInput, expectedInput, $"linear backward data {(n, inputs, outputs)}");

            using var expectedWeight = TestData.Random(20, outputs, inputs);
            using var expectedBias = TestData.Random(21, outputs);
            using var actualWeight = expectedWeight.Clone();
            using var actualBias = expectedBias.Clone();
            Oracle.LinearBackwardWeights(input, gradOutput, expectedWeight, expectedBias);
            backend.LinearBackwardWeights(input, gradOutput, actualWeight, actualBias);
            AssertClose(actualWeight, expectedWeight, $"linear weight gradient {(n, inputs, outputs)}");
            AssertClose(actualBias, expectedBias, $"linear bias gradient {(n, inputs, outputs)}");
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void ReluMatchesReferenceInPlaceAndOut(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var shape in ActivationShapes)
        {
            using var input = TestData.Random(22, shape);
            input.Span[0] = 0f;
            using var expected = new Tensor(shape);
            using var actual = new Tensor(shape);
            Oracle.ReluForward(input, expected);
            backend.ReluForward(input, actual);
            Assert.Equal(expected.ToArray(), actual.ToArray());
            using var inPlace = input.Clone();
            backend.ReluForward(inPlace, inPlace);
            Assert.Equal(expected.ToArray(), inPlace.ToArray());

            using var gradOutput = TestData.Random(23, shape);
            using var expectedGrad = new Tensor(shape);
            Oracle.ReluBackward(expected, gradOutput, expectedGrad);
            backend.ReluBackward(expected, gradOutput, gradOutput);
            Assert.Equal(expectedGrad.ToArray(), gradOutput.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void MultiplyMatchesReferenceInPlace(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var shape in ActivationShapes)
        {
            using var a = TestData.Random(24, shape);
            using var b = TestData.Random(25, shape);
            using var expected = new Tensor(shape);
            Oracle.Multiply(a, b, expected);
            backend.Multiply(a, b, a);
            Assert.Equal(expected.ToArray(), a.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void MaxPoolMatchesReferenceWithTiesAndOddSizes(string name)
    {
        var backend = TestBackends.Create(name);
        // The last shape's rows hold two vectors of 16 outputs and a scalar tail.
        foreach (var (n, c, h, w) in new[] { (1, 1, 2, 2), (3, 5, 7, 13), (1, 17, 19, 6), (2, 3, 9, 71) })
        {
            using var input = TestData.Random(26, n, c, h, w);
            var x = input.Span;
            // Coarse values make ties common, so the first-in-row-major rule is exercised; a NaN never wins unless first.
            for (int i = 0; i < x.Length; i++) x[i] = MathF.Round(x[i] * 2f) / 2f;
            for (int i = 5; i < x.Length; i += 97) x[i] = float.NaN;
            var outShape = new[] { n, c, h / 2, w / 2 };
            using var expected = new Tensor(outShape);
            using var actual = new Tensor(outShape);
            using var expectedArgmax = new Tensor(outShape);
            using var actualArgmax = backend.Allocate(new TensorShape(outShape));
            Oracle.MaxPoolForward(input, expected, expectedArgmax);
            backend.MaxPoolForward(input, actual, actualArgmax);
            Assert.Equal(expected.ToArray(), actual.ToArray());
            Assert.Equal(Indices(expectedArgmax), Indices(actualArgmax));

            using var gradOutput = TestData.Random(27, outShape);
            using var expectedGrad = new Tensor(n, c, h, w);
            using var actualGrad = TestData.Random(28, n, c, h, w);
            Oracle.MaxPoolBackward(gradOutput, expectedArgmax, expectedGrad);
            backend.MaxPoolBackward(gradOutput, actualArgmax, actualGrad);
            Assert.Equal(expectedGrad.ToArray(), actualGrad.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void LrnMatchesReference(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var parameters in new[] { LrnParameters.Krizhevsky, new LrnParameters(3, 1f, 0.75f, 1f) })
        foreach (var shape in new[] { new[] { 1, 1, 1, 1 }, [3, 5, 7, 13], [1, 17, 19, 3] })
        {
            using var input = TestData.Random(29, shape);
            using var expected = new Tensor(shape);
            using var expectedScale = new Tensor(shape);
            using var actual = new Tensor(shape);
            using var actualScale = new Tensor(shape);
            Oracle.LrnForward(input, expected, expectedScale, parameters);
            backend.LrnForward(input, actual, actualScale, parameters);
            AssertClose(actual, expected, $"LRN output {parameters}");
            AssertClose(actualScale, expectedScale, $"LRN scale {parameters}");

            using var gradOutput = TestData.Random(30, shape);
            using var expectedGrad = new Tensor(shape);
            using var actualGrad = TestData.Random(31, shape);
            Oracle.LrnBackward(input, expected, expectedScale, gradOutput, expectedGrad, parameters);
            backend.LrnBackward(input, expected, expectedScale, gradOutput, actualGrad, parameters);
            AssertClose(actualGrad, expectedGrad, $"LRN gradient {parameters}");
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void BatchNormMatchesReference(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var shape in new[] { new[] { 3, 5, 7, 13 }, [1, 17, 1, 1], [3, 17], [1, 3, 19, 19] })
        {
            int c = shape[1];
            using var input = TestData.Random(32, shape);
            using var gamma = TestData.Random(33, c);
            using var beta = TestData.Random(34, c);
            var runningMean = (Expected: TestData.Random(35, c), Actual: TestData.Random(35, c));
            using var rv = TestData.Random(36, c);
            for (int i = 0; i < c; i++) rv.Span[i] = Math.Abs(rv.Span[i]) + 0.1f;
            var runningVariance = (Expected: rv.Clone(), Actual: rv.Clone());
            using var expected = new Tensor(shape);
            using var actual = TestData.Random(37, shape);
            using var expectedMean = new Tensor(c);
            using var expectedInverse = new Tensor(c);
            using var actualMean = new Tensor(c);
            using var actualInverse = new Tensor(c);
            Oracle.BatchNormForwardTraining(input, gamma, beta, runningMean.Expected, runningVariance.Expected, 0.1f, 1e-5f, expected, expectedMean, expectedInverse);
            backend.BatchNormForwardTraining(input, gamma, beta, runningMean.Actual, runningVariance.Actual, 0.1f, 1e-5f, actual, actualMean, actualInverse);
            AssertClose(actual, expected, "batch norm training output");
            AssertClose(actualMean, expectedMean, "batch norm saved mean");
            AssertClose(actualInverse, expectedInverse, "batch norm saved inverse std");
            AssertClose(runningMean.Actual, runningMean.Expected, "batch norm running mean");
            AssertClose(runningVariance.Actual, runningVariance.Expected, "batch norm running variance");

            Oracle.BatchNormForwardInference(input, gamma, beta, runningMean.Expected, runningVariance.Expected, 1e-5f, expected);
            backend.BatchNormForwardInference(input, gamma, beta, runningMean.Expected, runningVariance.Expected, 1e-5f, actual);
            AssertClose(actual, expected, "batch norm inference output");

            using var gradOutput = TestData.Random(38, shape);
            using var expectedGrad = new Tensor(shape);
            using var actualGrad = TestData.Random(39, shape);
            using var expectedGamma = TestData.Random(40, c);
            using var expectedBeta = TestData.Random(41, c);
            using var actualGamma = expectedGamma.Clone();
            using var actualBeta = expectedBeta.Clone();
            Oracle.BatchNormBackward(input, gradOutput, gamma, expectedMean, expectedInverse, expectedGrad, expectedGamma, expectedBeta);
            backend.BatchNormBackward(input, gradOutput, gamma, expectedMean, expectedInverse, actualGrad, actualGamma, actualBeta);
            AssertClose(actualGrad, expectedGrad, "batch norm input gradient");
            AssertClose(actualGamma, expectedGamma, "batch norm gamma gradient");
            AssertClose(actualBeta, expectedBeta, "batch norm beta gradient");
            foreach (var t in new[] { runningMean.Expected, runningMean.Actual, runningVariance.Expected, runningVariance.Actual }) t.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.ComparedWithReference), MemberType = typeof(TestBackends))]
    public void SoftmaxAndCrossEntropyMatchReference(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var (n, classes) in new[] { (1, 1), (3, 37), (5, 1000) })
        {
            using var logits = TestData.Random(42, n, classes);
            for (int i = 0; i < logits.Length; i++) logits.Span[i] *= 20f;
            var labels = Enumerable.Range(0, n).Select(i => (i * 7) % classes).ToArray();
            using var expected = new Tensor(n, classes);
            using var actual = new Tensor(n, classes);
            Oracle.Softmax(logits, expected);
            backend.Softmax(logits, actual);
            AssertClose(actual, expected, "softmax");

            foreach (float share in new[] { 1f, 0.3f })
            {
                using var expectedGrad = new Tensor(n, classes);
                using var actualGrad = TestData.Random(43, n, classes);
                // The totals are added to, not overwritten.
                using var expectedTotals = Tensor.FromArray([1.5f, 2f], 2);
                using var actualTotals = Tensor.FromArray([1.5f, 2f], 2);
                Oracle.SoftmaxCrossEntropy(logits, labels, expected, expectedGrad, share, expectedTotals);
                backend.SoftmaxCrossEntropy(logits, labels, actual, actualGrad, share, actualTotals);
                float expectedLoss = expectedTotals.ToArray()[0], actualLoss = actualTotals.ToArray()[0];
                Assert.True(Math.Abs(actualLoss - expectedLoss) <= Tolerance * Math.Max(1, Math.Abs(expectedLoss)), $"loss {actualLoss} vs {expectedLoss}");
                Assert.Equal(expectedTotals.ToArray()[1], actualTotals.ToArray()[1]);
                AssertClose(actual, expected, "cross-entropy probabilities");
                AssertClose(actualGrad, expectedGrad, $"cross-entropy gradient, share {share}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void CrossEntropyCountsTheRowsWhoseFirstMaximumIsTheLabel(string name)
    {
        var backend = TestBackends.Create(name);
        // Rows: label at the maximum; label second; a tie between the label and an earlier class (the earlier wins);
        // a tie won by the label, which comes first.
        using var logits = Tensor.FromArray([3, 1, 2, 1, 3, 2, 5, 5, 0, 4, 4, 1], 4, 3);
        int[] labels = [0, 2, 1, 0];
        using var probabilities = backend.Allocate(logits.Shape);
        using var gradient = backend.Allocate(logits.Shape);
        using var totals = backend.Allocate(new TensorShape(2));

        backend.SoftmaxCrossEntropy(logits, labels, probabilities, gradient, 1f, totals);

        Assert.Equal(2f, totals.ToArray()[1]);
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void CrossEntropyShareScalesTheDividedGradientBitForBit(string name)
    {
        // ((p - onehot) / N) * share, divided first: the same bits as an unweighted pass followed by a scaling pass.
        var backend = TestBackends.Create(name);
        using var logits = TestData.Random(44, 7, 37);
        var labels = Enumerable.Range(0, 7).Select(i => (i * 5) % 37).ToArray();
        using var probabilities = backend.Allocate(logits.Shape);
        using var unweighted = backend.Allocate(logits.Shape);
        using var weighted = backend.Allocate(logits.Shape);
        using var totals = backend.Allocate(new TensorShape(2));

        backend.SoftmaxCrossEntropy(logits, labels, probabilities, unweighted, 1f, totals);
        backend.Scale(unweighted, 0.37f);
        backend.SoftmaxCrossEntropy(logits, labels, probabilities, weighted, 0.37f, totals);

        Assert.Equal(unweighted.ToArray(), weighted.ToArray());
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void AllocateFillAndScaleMatchReference(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var shape in ActivationShapes.Append([100_003]))
        {
            using var tensor = backend.Allocate(new TensorShape(shape));
            Assert.Equal(backend.Device, tensor.Device);
            Assert.All(tensor.ToArray(), v => Assert.Equal(0f, v));

            backend.Fill(tensor, -2.5f);
            Assert.All(tensor.ToArray(), v => Assert.Equal(-2.5f, v));

            using var values = TestData.Random(45, shape);
            using var expected = values.Clone();
            tensor.CopyFrom(values);
            Oracle.Scale(expected, 0.7f);
            backend.Scale(tensor, 0.7f);
            Assert.Equal(expected.ToArray(), tensor.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void SgdUpdateGivesTheBitsOfTheScalarFormula(string name)
    {
        // Lengths below, at and around the vector widths, and one large enough to be split between workers.
        var backend = TestBackends.Create(name);
        foreach (int n in new[] { 1, 7, 16, 133, 100_003 })
        {
            using var w = TestData.Random(46, n);
            using var g = TestData.Random(47, n);
            using var v = TestData.Random(48, n);
            float[] ws = w.ToArray(), gs = g.ToArray(), vs = v.ToArray();
            for (int i = 0; i < n; i++)
            {
                vs[i] = 0.9f * vs[i] + (gs[i] + 5e-4f * ws[i]);
                ws[i] -= 0.01f * vs[i];
            }

            backend.SgdUpdate(w, g, v, 0.01f, 0.9f, 5e-4f);

            Assert.Equal(ws, w.ToArray());
            Assert.Equal(vs, v.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void DropoutMaskMatchesReferenceBitForBit(string name)
    {
        var backend = TestBackends.Create(name);
        foreach (var (shape, probability) in new[] { (new[] { 1, 1 }, 0.5f), (new[] { 3, 5, 7, 13 }, 0.25f), (new[] { 130, 4096 }, 0.5f), (new[] { 2, 3 }, 0f) })
        {
            var keys = Enumerable.Range(0, shape[0]).Select(i => Randomness.CounterRandom.Key(7, (ulong)i)).ToArray();
            using var expected = new Tensor(shape);
            using var actual = TestData.Random(49, shape);
            Oracle.DropoutMask(expected, probability, keys);
            backend.DropoutMask(actual, probability, keys);
            Assert.Equal(expected.ToArray(), actual.ToArray());
            float keep = 1f / (1f - probability);
            Assert.All(expected.ToArray(), m => Assert.True(m == 0f || m == keep, $"mask value {m}"));
        }
    }

    private static int[] Indices(Tensor argmax) => System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(argmax.ToArray().AsSpan()).ToArray();

    private static void AssertClose(Tensor actual, Tensor expected, string what)
    {
        double error = TestData.RelativeError(actual.Span, expected.Span);
        Assert.True(error <= Tolerance, $"{what}: relative error {error:E2} exceeds {Tolerance:E0}.");
    }
}

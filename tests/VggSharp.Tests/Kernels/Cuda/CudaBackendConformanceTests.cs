using System.Runtime.InteropServices;
using VggSharp.Kernels;
using VggSharp.Kernels.Cuda;
using VggSharp.Kernels.Reference;
using VggSharp.Randomness;
using VggSharp.Tensors;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>
/// Every <see cref="IBackend"/> member of the CUDA backend against the reference, on the CPU conformance suite's awkward
/// shapes, with the GPU's inputs uploaded from the same host tensors. Strict fp32 within 1e-4 (as the CPU backends).
/// TF32 rounds each product's inputs to 10 mantissa bits (relative error at most 2^-11 each, 2^-10 per product), with
/// sums in float32; measured as the largest difference over the largest output, a sum of K such products of random
/// sign stays within 2^-10 * sum|terms| / max|output|, a ratio that is at most about 4 for these shapes
/// (K up to 9 * 1000): 4e-3. Kernels whose arithmetic is VggSharp's own are compared bit for bit where the CPU's
/// operation order is the contract (SGD update, dropout mask, ReLU, max pooling, products).
/// </summary>
[Collection(OnTheGpu.Name)]
public class CudaBackendConformanceTests
{
    private const double Fp32Tolerance = 1e-4, Tf32Tolerance = 4e-3;
    private static readonly ReferenceBackend Oracle = new();

    private static CudaBackend Strict => CudaBackend.Create(0, CudaPrecision.Fp32);
    private static CudaBackend Tf32 => CudaBackend.Create(0, CudaPrecision.Tf32);

    [CudaFact]
    public void ConvolutionsMatchReferenceInFp32AndTf32()
    {
        foreach (var (backend, tolerance) in new[] { (Strict, Fp32Tolerance), (Tf32, Tf32Tolerance) })
        foreach (var (n, c, h, w, o, k, p) in BackendConformanceTests.ConvCases.Concat(BackendConformanceTests.ChunkedConvCases))
        {
            string what = $"{backend.Precision} {(n, c, h, w, o, k, p)}";
            int oh = h + 2 * p - k + 1, ow = w + 2 * p - k + 1;
            using var input = TestData.Random(1, n, c, h, w);
            using var weight = TestData.Random(2, o, c, k, k);
            using var bias = TestData.Random(3, o);
            using var expected = new Tensor(n, o, oh, ow);
            Oracle.Conv2dForward(input, weight, bias, expected, p);
            using var gx = Upload(backend, input);
            using var gw = Upload(backend, weight);
            using var gb = Upload(backend, bias);
            using var gy = Upload(backend, TestData.Random(4, n, o, oh, ow));
            backend.Conv2dForward(gx, gw, gb, gy, p);
            AssertClose(gy, expected, tolerance, $"conv forward {what}");

            using var gradOutput = TestData.Random(5, n, o, oh, ow);
            using var expectedInput = new Tensor(n, c, h, w);
            Oracle.Conv2dBackwardData(gradOutput, weight, expectedInput, p);
            using var gdy = Upload(backend, gradOutput);
            using var gdx = Upload(backend, TestData.Random(8, n, c, h, w));
            backend.Conv2dBackwardData(gdy, gw, gdx, p);
            AssertClose(gdx, expectedInput, tolerance, $"conv backward data {what}");

            using var expectedWeight = TestData.Random(11, o, c, k, k);
            using var expectedBias = TestData.Random(12, o);
            using var gdw = Upload(backend, expectedWeight);
            using var gdb = Upload(backend, expectedBias);
            Oracle.Conv2dBackwardFilter(input, gradOutput, expectedWeight, expectedBias, p);
            backend.Conv2dBackwardFilter(gx, gdy, gdw, gdb, p);
            AssertClose(gdw, expectedWeight, tolerance, $"conv weight gradient (accumulated) {what}");
            AssertClose(gdb, expectedBias, tolerance, $"conv bias gradient (accumulated) {what}");
        }
    }

    [CudaFact]
    public void LinearMatchesReferenceInFp32AndTf32()
    {
        foreach (var (backend, tolerance) in new[] { (Strict, Fp32Tolerance), (Tf32, Tf32Tolerance) })
        foreach (var (n, inputs, outputs) in BackendConformanceTests.LinearCases.Append((67, 1000, 129)))
        {
            string what = $"{backend.Precision} {(n, inputs, outputs)}";
            using var input = TestData.Random(13, n, inputs);
            using var weight = TestData.Random(14, outputs, inputs);
            using var bias = TestData.Random(15, outputs);
            using var expected = new Tensor(n, outputs);
            Oracle.LinearForward(input, weight, bias, expected);
            using var gx = Upload(backend, input);
            using var gw = Upload(backend, weight);
            using var gb = Upload(backend, bias);
            using var gy = Upload(backend, TestData.Random(16, n, outputs));
            backend.LinearForward(gx, gw, gb, gy);
            AssertClose(gy, expected, tolerance, $"linear forward {what}");

            using var gradOutput = TestData.Random(17, n, outputs);
            using var expectedInput = new Tensor(n, inputs);
            Oracle.LinearBackwardData(gradOutput, weight, expectedInput);
            using var gdy = Upload(backend, gradOutput);
            using var gdx = Upload(backend, TestData.Random(19, n, inputs));
            backend.LinearBackwardData(gdy, gw, gdx);
            AssertClose(gdx, expectedInput, tolerance, $"linear backward data {what}");

            using var expectedWeight = TestData.Random(20, outputs, inputs);
            using var expectedBias = TestData.Random(21, outputs);
            using var gdw = Upload(backend, expectedWeight);
            using var gdb = Upload(backend, expectedBias);
            Oracle.LinearBackwardWeights(input, gradOutput, expectedWeight, expectedBias);
            backend.LinearBackwardWeights(gx, gdy, gdw, gdb);
            AssertClose(gdw, expectedWeight, tolerance, $"linear weight gradient (accumulated) {what}");
            AssertClose(gdb, expectedBias, tolerance, $"linear bias gradient (accumulated) {what}");
        }
    }

    [CudaFact]
    public void ElementwiseKernelsMatchReferenceBitForBit()
    {
        var backend = Strict;
        foreach (var shape in BackendConformanceTests.ActivationShapes.Append([3, 1000, 37, 3]))
        {
            using var input = TestData.Random(22, shape);
            input.Span[0] = 0f;
            input.Span[^1] = float.NaN;
            using var expected = new Tensor(shape);
            Oracle.ReluForward(input, expected);
            using var gx = Upload(backend, input);
            using var gy = backend.Allocate(new TensorShape(shape));
            backend.ReluForward(gx, gy);
            Assert.Equal(expected.ToArray(), gy.ToArray());
            backend.ReluForward(gx, gx);
            Assert.Equal(expected.ToArray(), gx.ToArray());

            using var gradOutput = TestData.Random(23, shape);
            using var expectedGrad = new Tensor(shape);
            Oracle.ReluBackward(expected, gradOutput, expectedGrad);
            using var gdy = Upload(backend, gradOutput);
            backend.ReluBackward(gy, gdy, gdy);
            Assert.Equal(expectedGrad.ToArray(), gdy.ToArray());

            using var a = TestData.Random(24, shape);
            using var b = TestData.Random(25, shape);
            using var product = new Tensor(shape);
            Oracle.Multiply(a, b, product);
            using var ga = Upload(backend, a);
            using var gb = Upload(backend, b);
            backend.Multiply(ga, gb, ga);
            Assert.Equal(product.ToArray(), ga.ToArray());

            backend.Scale(gb, -0.37f);
            Assert.Equal(b.ToArray().Select(v => v * -0.37f).ToArray(), gb.ToArray());
            backend.Fill(gb, 2.5f);
            Assert.All(gb.ToArray(), v => Assert.Equal(2.5f, v));
        }
    }

    [CudaFact]
    public void MaxPoolMatchesReferenceWithTiesNaNsAndOddSizes()
    {
        var backend = Strict;
        foreach (var (n, c, h, w) in new[] { (1, 1, 2, 2), (3, 5, 7, 13), (1, 17, 19, 6), (2, 3, 9, 71) })
        {
            using var input = TestData.Random(26, n, c, h, w);
            var x = input.Span;
            for (int i = 0; i < x.Length; i++) x[i] = MathF.Round(x[i] * 2f) / 2f;
            for (int i = 5; i < x.Length; i += 97) x[i] = float.NaN;
            var outShape = new TensorShape(n, c, h / 2, w / 2);
            using var expected = new Tensor(outShape);
            using var expectedArgmax = new Tensor(outShape);
            Oracle.MaxPoolForward(input, expected, expectedArgmax);
            using var gx = Upload(backend, input);
            using var gy = backend.Allocate(outShape);
            using var gArgmax = backend.Allocate(outShape);
            backend.MaxPoolForward(gx, gy, gArgmax);
            Assert.Equal(expected.ToArray(), gy.ToArray());
            Assert.Equal(MemoryMarshal.Cast<float, int>(expectedArgmax.Span).ToArray(), MemoryMarshal.Cast<float, int>(gArgmax.ToArray().AsSpan()).ToArray());

            using var gradOutput = TestData.Random(27, outShape.ToArray());
            using var expectedGrad = new Tensor(n, c, h, w);
            Oracle.MaxPoolBackward(gradOutput, expectedArgmax, expectedGrad);
            using var gdy = Upload(backend, gradOutput);
            using var gdx = Upload(backend, TestData.Random(28, n, c, h, w));
            backend.MaxPoolBackward(gdy, gArgmax, gdx);
            Assert.Equal(expectedGrad.ToArray(), gdx.ToArray());
        }
    }

    [CudaFact]
    public void LrnMatchesReference()
    {
        var backend = Strict;
        foreach (var parameters in new[] { LrnParameters.Krizhevsky, new LrnParameters(3, 0.5f, 0.6f, 1.5f) })
        foreach (var (n, c, h, w) in new[] { (1, 1, 1, 1), (2, 7, 5, 3), (3, 17, 4, 9) })
        {
            using var input = TestData.Random(29, n, c, h, w);
            for (int i = 0; i < input.Length; i++) input.Span[i] *= 30f;
            using var output = new Tensor(n, c, h, w);
            using var scale = new Tensor(n, c, h, w);
            Oracle.LrnForward(input, output, scale, parameters);
            using var gx = Upload(backend, input);
            using var gy = backend.Allocate(input.Shape);
            using var gs = backend.Allocate(input.Shape);
            backend.LrnForward(gx, gy, gs, parameters);
            AssertClose(gy, output, Fp32Tolerance, $"LRN output {(n, c, h, w)} {parameters}");
            AssertClose(gs, scale, Fp32Tolerance, $"LRN scale {(n, c, h, w)} {parameters}");

            using var gradOutput = TestData.Random(30, n, c, h, w);
            using var expectedGrad = new Tensor(n, c, h, w);
            Oracle.LrnBackward(input, output, scale, gradOutput, expectedGrad, parameters);
            using var gdy = Upload(backend, gradOutput);
            using var gdx = backend.Allocate(input.Shape);
            backend.LrnBackward(gx, gy, gs, gdy, gdx, parameters);
            AssertClose(gdx, expectedGrad, Fp32Tolerance, $"LRN backward {(n, c, h, w)} {parameters}");
        }
    }

    [CudaFact]
    public void BatchNormMatchesReferenceIncludingRunningStatistics()
    {
        var backend = Strict;
        foreach (var shape in new int[][] { [2, 3, 5, 7], [17, 6, 1, 1], [5, 11], [1, 4, 3, 3] })
        {
            int c = shape[1];
            using var input = TestData.Random(31, shape);
            using var gamma = TestData.Random(32, c);
            using var beta = TestData.Random(33, c);
            using var runningMean = TestData.Random(34, c);
            using var runningVariance = Positive(TestData.Random(35, c));
            using var output = new Tensor(shape);
            using var savedMean = new Tensor(c);
            using var savedInverseStd = new Tensor(c);
            using var gInput = Upload(backend, input);
            using var gGamma = Upload(backend, gamma);
            using var gBeta = Upload(backend, beta);
            using var gRunningMean = Upload(backend, runningMean);
            using var gRunningVariance = Upload(backend, runningVariance);
            using var gOutput = backend.Allocate(input.Shape);
            using var gSavedMean = backend.Allocate(new TensorShape(c));
            using var gSavedInverseStd = backend.Allocate(new TensorShape(c));
            Oracle.BatchNormForwardTraining(input, gamma, beta, runningMean, runningVariance, 0.1f, 1e-5f, output, savedMean, savedInverseStd);
            backend.BatchNormForwardTraining(gInput, gGamma, gBeta, gRunningMean, gRunningVariance, 0.1f, 1e-5f, gOutput, gSavedMean, gSavedInverseStd);
            string what = string.Join('x', shape);
            AssertClose(gOutput, output, Fp32Tolerance, $"batch norm output {what}");
            AssertClose(gSavedMean, savedMean, Fp32Tolerance, $"batch norm saved mean {what}");
            AssertClose(gSavedInverseStd, savedInverseStd, Fp32Tolerance, $"batch norm saved inverse std {what}");
            AssertClose(gRunningMean, runningMean, Fp32Tolerance, $"batch norm running mean {what}");
            AssertClose(gRunningVariance, runningVariance, Fp32Tolerance, $"batch norm running (unbiased) variance {what}");

            using var inference = new Tensor(shape);
            Oracle.BatchNormForwardInference(input, gamma, beta, runningMean, runningVariance, 1e-5f, inference);
            backend.BatchNormForwardInference(gInput, gGamma, gBeta, gRunningMean, gRunningVariance, 1e-5f, gOutput);
            AssertClose(gOutput, inference, Fp32Tolerance, $"batch norm inference {what}");

            using var gradOutput = TestData.Random(36, shape);
            using var gradInput = new Tensor(shape);
            using var gradGamma = TestData.Random(37, c);
            using var gradBeta = TestData.Random(38, c);
            using var gGradOutput = Upload(backend, gradOutput);
            using var gGradInput = Upload(backend, TestData.Random(39, shape));
            using var gGradGamma = Upload(backend, gradGamma);
            using var gGradBeta = Upload(backend, gradBeta);
            Oracle.BatchNormBackward(input, gradOutput, gamma, savedMean, savedInverseStd, gradInput, gradGamma, gradBeta);
            backend.BatchNormBackward(gInput, gGradOutput, gGamma, gSavedMean, gSavedInverseStd, gGradInput, gGradGamma, gGradBeta);
            AssertClose(gGradInput, gradInput, Fp32Tolerance, $"batch norm input gradient {what}");
            AssertClose(gGradGamma, gradGamma, Fp32Tolerance, $"batch norm gamma gradient (accumulated) {what}");
            AssertClose(gGradBeta, gradBeta, Fp32Tolerance, $"batch norm beta gradient (accumulated) {what}");
        }
    }

    [CudaFact]
    public void SynchronisedBatchNormMembersMatchTheCpuThroughHostStaging()
    {
        var backend = Strict;
        int[] shape = [3, 4, 5, 2];
        using var input = TestData.Random(40, shape);
        using var gradOutput = TestData.Random(41, shape);
        using var gamma = TestData.Random(42, 4);
        using var beta = TestData.Random(43, 4);
        using var mean = TestData.Random(44, 4);
        using var inverseStd = Positive(TestData.Random(45, 4));
        using var gInput = Upload(backend, input);
        using var gGradOutput = Upload(backend, gradOutput);
        using var gMean = Upload(backend, mean);
        var fast = Backends.Fast;
        double[] expected = new double[8], actual = new double[8];
        fast.BatchNormSums(input, mean, expected.AsSpan(0, 4));
        backend.BatchNormSums(gInput, gMean, actual.AsSpan(0, 4));
        Assert.Equal(expected, actual);
        fast.BatchNormGradientSums(input, gradOutput, mean, expected);
        backend.BatchNormGradientSums(gInput, gGradOutput, gMean, actual);
        Assert.Equal(expected, actual);

        using var normalized = new Tensor(shape);
        using var gNormalized = backend.Allocate(input.Shape);
        fast.BatchNormNormalize(input, gamma, beta, mean, inverseStd, normalized);
        backend.BatchNormNormalize(gInput, Upload(backend, gamma), Upload(backend, beta), gMean, Upload(backend, inverseStd), gNormalized);
        Assert.Equal(normalized.ToArray(), gNormalized.ToArray());

        using var gradInput = new Tensor(shape);
        using var gGradInput = backend.Allocate(input.Shape);
        fast.BatchNormBackwardData(input, gradOutput, gamma, mean, inverseStd, expected, 120, gradInput);
        backend.BatchNormBackwardData(gInput, gGradOutput, Upload(backend, gamma), gMean, Upload(backend, inverseStd), expected, 120, gGradInput);
        Assert.Equal(gradInput.ToArray(), gGradInput.ToArray());
    }

    [CudaFact]
    public void SoftmaxAndCrossEntropyMatchReferenceWithShareAndTotals()
    {
        var backend = Strict;
        foreach (var (n, classes) in new[] { (1, 1), (3, 37), (5, 1000), (130, 10) })
        {
            using var logits = TestData.Random(46, n, classes);
            for (int i = 0; i < logits.Length; i++) logits.Span[i] *= 20f;
            var labels = Enumerable.Range(0, n).Select(i => (i * 7) % classes).ToArray();
            using var expected = new Tensor(n, classes);
            Oracle.Softmax(logits, expected);
            using var gLogits = Upload(backend, logits);
            using var gProbabilities = backend.Allocate(logits.Shape);
            backend.Softmax(gLogits, gProbabilities);
            AssertClose(gProbabilities, expected, Fp32Tolerance, $"softmax {(n, classes)}");

            using var expectedGrad = new Tensor(n, classes);
            using var expectedTotals = Tensor.FromArray([1.5f, 2f], 2);
            Oracle.SoftmaxCrossEntropy(logits, labels, expected, expectedGrad, 0.25f, expectedTotals);
            using var gGrad = backend.Allocate(logits.Shape);
            using var gTotals = Upload(backend, Tensor.FromArray([1.5f, 2f], 2));
            backend.SoftmaxCrossEntropy(gLogits, labels, gProbabilities, gGrad, 0.25f, gTotals);
            AssertClose(gProbabilities, expected, Fp32Tolerance, $"cross-entropy probabilities {(n, classes)}");
            AssertClose(gGrad, expectedGrad, Fp32Tolerance, $"cross-entropy gradient {(n, classes)}");
            float[] totals = gTotals.ToArray();
            Assert.True(Math.Abs(totals[0] - expectedTotals.Span[0]) <= Fp32Tolerance * Math.Max(1, Math.Abs(expectedTotals.Span[0])),
                $"loss total {totals[0]} vs {expectedTotals.Span[0]}");
            Assert.Equal(expectedTotals.Span[1], totals[1]);
        }
    }

    [CudaFact]
    public void SgdUpdateIsBitIdenticalToTheCpu()
    {
        var backend = Tf32;
        foreach (int length in new[] { 1, 17, 1_000_003 })
        foreach (var (lr, momentum, decay) in new[] { (0.01f, 0.9f, 5e-4f), (0.37f, 0f, 0f), (1e-5f, 0.99f, 0.1f) })
        {
            using var weight = TestData.Random(47, length);
            using var gradient = TestData.Random(48, length);
            using var velocity = TestData.Random(49, length);
            for (int i = 0; i < length; i += 3) gradient.Span[i] *= 1e6f;
            using var gWeight = Upload(backend, weight);
            using var gGradient = Upload(backend, gradient);
            using var gVelocity = Upload(backend, velocity);
            for (int step = 0; step < 3; step++)
            {
                Backends.Fast.SgdUpdate(weight, gradient, velocity, lr, momentum, decay);
                backend.SgdUpdate(gWeight, gGradient, gVelocity, lr, momentum, decay);
            }
            Assert.Equal(weight.ToArray(), gWeight.ToArray());
            Assert.Equal(velocity.ToArray(), gVelocity.ToArray());
        }
    }

    [CudaFact]
    public void DropoutMaskIsIdenticalToTheCpu()
    {
        var backend = Tf32;
        foreach (var (shape, probability) in new (int[] Shape, float Probability)[] { ([5, 37, 3, 3], 0.3f), ([128, 512], 0.5f), ([1, 1], 0.9f) })
        {
            var keys = Enumerable.Range(0, shape[0]).Select(n => CounterRandom.Key(42, 7, 3, (ulong)n)).ToArray();
            using var expected = new Tensor(shape);
            Backends.Fast.DropoutMask(expected, probability, keys);
            using var actual = backend.Allocate(expected.Shape);
            backend.DropoutMask(actual, probability, keys);
            Assert.Equal(expected.ToArray(), actual.ToArray());
        }
    }

    [CudaFact]
    public void StorageCopiesViewsAndClearsAcrossDevices()
    {
        var backend = Strict;
        using var host = TestData.Random(50, 6, 5, 4);
        using var device = backend.Allocate(host.Shape);
        Assert.Equal(new float[host.Length], device.ToArray());
        device.CopyFrom(host);
        Assert.Equal(host.ToArray(), device.ToArray());
        using var copy = backend.Allocate(host.Shape);
        copy.CopyFrom(device);
        using var back = copy.ToHost();
        Assert.True(back.IsOnHost);
        Assert.Equal(host.ToArray(), back.ToArray());
        Assert.Equal(Device.Cuda(0), device.Device);
        Assert.Throws<InvalidOperationException>(() => device.Span.Length);

        var middle = device.Items(2, 3);
        middle.Clear();
        var expected = host.ToArray();
        Array.Clear(expected, 2 * 20, 3 * 20);
        Assert.Equal(expected, device.ToArray());
        float[] item = new float[20];
        device.Items(5, 1).CopyTo(item);
        Assert.Equal(host.Item(5).ToArray(), item);

        var exception = Assert.Throws<ArgumentException>(() => backend.ReluForward(host, device));
        Assert.Contains("cpu", exception.Message);
    }

    [CudaFact]
    public void GradientsMatchFiniteDifferencesInFp32()
    {
        var backend = Strict;
        using var input = Upload(backend, TestData.Random(51, 2, 3, 6, 5));
        using var weight = Upload(backend, TestData.Random(52, 4, 3, 3, 3));
        using var bias = Upload(backend, TestData.Random(53, 4));
        using var output = backend.Allocate(new TensorShape(2, 4, 6, 5));
        using var projection = Upload(backend, TestData.Random(54, 2, 4, 6, 5));
        // L = sum(conv(x) * r): dL/dy = r.
        double Loss() => Dot(output, projection);
        void Forward() => backend.Conv2dForward(input, weight, bias, output, 1);
        using var gradInput = backend.Allocate(input.Shape);
        using var gradWeight = backend.Allocate(weight.Shape);
        using var gradBias = backend.Allocate(bias.Shape);
        backend.Conv2dBackwardData(projection, weight, gradInput, 1);
        backend.Conv2dBackwardFilter(input, projection, gradWeight, gradBias, 1);
        CheckGradient(input, gradInput, Forward, Loss, "conv input");
        CheckGradient(weight, gradWeight, Forward, Loss, "conv weight");
        CheckGradient(bias, gradBias, Forward, Loss, "conv bias");

        using var features = Upload(backend, TestData.Random(55, 3, 7, 2, 2));
        using var gamma = Upload(backend, TestData.Random(56, 7));
        using var beta = Upload(backend, TestData.Random(57, 7));
        using var runningMean = backend.Allocate(new TensorShape(7));
        using var runningVariance = backend.Allocate(new TensorShape(7));
        using var normalized = backend.Allocate(features.Shape);
        using var savedMean = backend.Allocate(new TensorShape(7));
        using var savedInverseStd = backend.Allocate(new TensorShape(7));
        using var weights = Upload(backend, TestData.Random(58, 3, 7, 2, 2));
        void Normalize() => backend.BatchNormForwardTraining(features, gamma, beta, runningMean, runningVariance, 0.1f, 1e-5f, normalized, savedMean, savedInverseStd);
        double NormalizedLoss() => Dot(normalized, weights);
        Normalize();
        using var gradFeatures = backend.Allocate(features.Shape);
        using var gradGamma = backend.Allocate(gamma.Shape);
        using var gradBeta = backend.Allocate(beta.Shape);
        backend.BatchNormBackward(features, weights, gamma, savedMean, savedInverseStd, gradFeatures, gradGamma, gradBeta);
        CheckGradient(features, gradFeatures, Normalize, NormalizedLoss, "batch norm input");
        CheckGradient(gamma, gradGamma, Normalize, NormalizedLoss, "batch norm gamma");

        using var x = Upload(backend, TestData.Random(59, 4, 9));
        using var w = Upload(backend, TestData.Random(60, 5, 9));
        using var b = Upload(backend, TestData.Random(61, 5));
        using var y = backend.Allocate(new TensorShape(4, 5));
        using var r = Upload(backend, TestData.Random(62, 4, 5));
        void Linear() => backend.LinearForward(x, w, b, y);
        double LinearLoss() => Dot(y, r);
        using var gx = backend.Allocate(x.Shape);
        using var gw = backend.Allocate(w.Shape);
        using var gb = backend.Allocate(b.Shape);
        backend.LinearBackwardData(r, w, gx);
        backend.LinearBackwardWeights(x, r, gw, gb);
        CheckGradient(x, gx, Linear, LinearLoss, "linear input");
        CheckGradient(w, gw, Linear, LinearLoss, "linear weight");
        CheckGradient(b, gb, Linear, LinearLoss, "linear bias");
    }

    /// <summary>Central differences (step 1e-2) of <paramref name="loss"/> at every element of <paramref name="parameter"/>, against <paramref name="gradient"/>.</summary>
    private static void CheckGradient(Tensor parameter, Tensor gradient, Action forward, Func<double> loss, string what)
    {
        const float step = 1e-2f;
        float[] values = parameter.ToArray(), analytic = gradient.ToArray(), numeric = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float original = values[i];
            values[i] = original + step;
            parameter.CopyFrom(values);
            forward();
            double plus = loss();
            values[i] = original - step;
            parameter.CopyFrom(values);
            forward();
            double minus = loss();
            values[i] = original;
            numeric[i] = (float)((plus - minus) / (2 * step));
        }
        parameter.CopyFrom(values);
        double error = TestData.RelativeError(analytic, numeric);
        Assert.True(error <= 1e-2, $"{what}: analytic and numeric gradients differ by {error:E2} (relative).");
    }

    [CudaFact]
    public void ADeterministicBackendRepeatsItsBitsInEveryPrecision()
    {
        // VGG-16's conv1_2 at a smaller size: in TF32 its backward filter has no deterministic tensor-core algorithm on an
        // H200, so this also takes the strict-float32 fallback.
        foreach (var precision in new[] { CudaPrecision.Fp32, CudaPrecision.Tf32 })
        {
            var backend = CudaBackend.Create(0, precision, deterministic: true);
            using var input = Upload(backend, TestData.Random(61, 8, 64, 64, 64));
            using var gradOutput = Upload(backend, TestData.Random(62, 8, 64, 64, 64));
            using var weight = Upload(backend, TestData.Random(63, 64, 64, 3, 3));
            float[] Once(Action<Tensor> pass, TensorShape shape)
            {
                using var result = backend.Allocate(shape);
                pass(result);
                return result.ToArray();
            }
            using var bias = backend.Allocate(new TensorShape(64));
            Assert.Equal(Once(gw => backend.Conv2dBackwardFilter(input, gradOutput, gw, bias, 1), weight.Shape),
                Once(gw => backend.Conv2dBackwardFilter(input, gradOutput, gw, bias, 1), weight.Shape));
            Assert.Equal(Once(gx => backend.Conv2dBackwardData(gradOutput, weight, gx, 1), input.Shape),
                Once(gx => backend.Conv2dBackwardData(gradOutput, weight, gx, 1), input.Shape));
            Assert.Equal(Once(y => backend.Conv2dForward(input, weight, bias, y, 1), input.Shape),
                Once(y => backend.Conv2dForward(input, weight, bias, y, 1), input.Shape));
        }
    }

    private static double Dot(Tensor a, Tensor b) => a.ToArray().Zip(b.ToArray()).Sum(p => (double)p.First * p.Second);

    private static Tensor Positive(Tensor t)
    {
        for (int i = 0; i < t.Length; i++) t.Span[i] = 0.5f + Math.Abs(t.Span[i]);
        return t;
    }

    /// <summary>A device copy of <paramref name="host"/>.</summary>
    private static Tensor Upload(CudaBackend backend, Tensor host)
    {
        var device = backend.Allocate(host.Shape);
        device.CopyFrom(host);
        return device;
    }

    private static void AssertClose(Tensor actual, Tensor expected, double tolerance, string what)
    {
        double error = TestData.RelativeError(actual.ToArray(), expected.Span);
        Assert.True(error <= tolerance, $"{what}: relative error {error:E2} exceeds {tolerance:E0}.");
    }
}

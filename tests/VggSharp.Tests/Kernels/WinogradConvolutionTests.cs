using VggSharp.Kernels;
using VggSharp.Kernels.Fast;
using VggSharp.Kernels.Reference;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Kernels;

/// <summary>
/// Winograd F(4x4, 3x3) convolution (forced on) against the reference, on shapes that exercise its edges, and its bits
/// across thread counts; and which shapes <see cref="ConvolutionAlgorithm.Auto"/> gives it.
/// </summary>
public class WinogradConvolutionTests
{
    /// <summary>
    /// F(4x4, 3x3) in float32 rounds more than direct summation (its filter transform has fractions and its transforms
    /// sum 36 points), but stays two orders of magnitude inside the suite's tolerance; this bound catches a wrong point.
    /// </summary>
    private const double Tolerance = 5e-5;

    private static readonly ReferenceBackend Oracle = new();

    /// <summary>
    /// (batch, channels, height, width, outputs, padding): two blocks split mid-row and across images, with wide tile
    /// rows (15 tiles) and narrow ones (3 tiles); outputs not multiples of 4; padding 0 and 2; filters too large to
    /// stay cached (352 x 352, written past the cache) and depths that are not multiples of 8 or of the GEMM's blocks.
    /// </summary>
    public static readonly (int N, int C, int H, int W, int O, int P)[] Cases =
    [
        (2, 64, 50, 58, 64, 1),
        (34, 64, 10, 10, 64, 1),
        (2, 9, 13, 11, 7, 0),
        (3, 5, 9, 6, 11, 2),
        (1, 352, 6, 5, 352, 1),
        (2, 300, 4, 4, 20, 1),
    ];

    public static TheoryData<int> CaseIndices => [.. Enumerable.Range(0, Cases.Length)];

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void MatchesReferenceAndIsBitIdenticalAcrossThreadCounts(int index)
    {
        var (n, c, h, w, o, p) = Cases[index];
        using var input = TestData.Random(1, n, c, h, w);
        using var weight = TestData.Random(2, o, c, 3, 3);
        using var bias = TestData.Random(3, o);
        using var gradOutput = TestData.Random(4, n, o, h + 2 * p - 2, w + 2 * p - 2);
        float[] expected = Run(Oracle, input, weight, bias, gradOutput, p);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            float[] actual = Run(new FastBackend(threads, ConvolutionAlgorithm.Winograd), input, weight, bias, gradOutput, p);
            if (first is null)
            {
                int outputs = n * o * (h + 2 * p - 2) * (w + 2 * p - 2), inputs = n * c * h * w, weights = o * c * 9;
                AssertClose(actual.AsSpan(0, outputs), expected.AsSpan(0, outputs), $"forward {Cases[index]}");
                AssertClose(actual.AsSpan(outputs, inputs), expected.AsSpan(outputs, inputs), $"backward data {Cases[index]}");
                AssertClose(actual.AsSpan(outputs + inputs, weights), expected.AsSpan(outputs + inputs, weights), $"backward filter {Cases[index]}");
                AssertClose(actual.AsSpan(outputs + inputs + weights), expected.AsSpan(outputs + inputs + weights), $"bias gradient {Cases[index]}");
                first = actual;
            }
            else Assert.True(first.AsSpan().SequenceEqual(actual), $"{Cases[index]} on {threads} threads differs from 1 thread");
        }
    }

    [Fact]
    public void AutoUsesWinogradForVggLayersButNotTheFirstLayerOrTinyMaps()
    {
        static ConvGeometry Layer(int batch, int channels, int size, int outputs) => new(batch, channels, size, size, outputs, 3, 1);
        // VGG-16 at 224, batch 8: every layer after the first, both ways.
        foreach (var (c, o, size) in new[] { (64, 64, 224), (64, 128, 112), (256, 512, 28), (512, 512, 14) })
        {
            Assert.True(WinogradChoice.Forward(ConvolutionAlgorithm.Auto, Layer(8, c, size, o)), $"forward {c}->{o} at {size}");
            Assert.True(WinogradChoice.BackwardData(ConvolutionAlgorithm.Auto, Layer(8, c, size, o)), $"backward data {c}->{o} at {size}");
            Assert.True(WinogradChoice.BackwardFilter(ConvolutionAlgorithm.Auto, Layer(8, c, size, o)), $"backward filter {c}->{o} at {size}");
        }
        Assert.False(WinogradChoice.Forward(ConvolutionAlgorithm.Auto, Layer(8, 3, 224, 64)), "3 input channels");
        Assert.False(WinogradChoice.BackwardFilter(ConvolutionAlgorithm.Auto, Layer(8, 3, 224, 64)), "3 input channels, backward filter");
        Assert.False(WinogradChoice.Forward(ConvolutionAlgorithm.Auto, Layer(128, 128, 2, 128)), "2x2 maps fill a quarter of a tile");
        Assert.True(WinogradChoice.Forward(ConvolutionAlgorithm.Auto, Layer(128, 16, 32, 16)), "16 channels on 32x32 maps");
        Assert.False(WinogradChoice.BackwardFilter(ConvolutionAlgorithm.Auto, Layer(128, 16, 16, 32)), "16 channels on 16x16 maps");
        Assert.False(WinogradChoice.Forward(ConvolutionAlgorithm.Auto, Layer(1, 512, 14, 512)), "16 tiles cannot pay for 512 x 512 filter transforms");
        Assert.True(WinogradChoice.Forward(ConvolutionAlgorithm.Auto, Layer(1, 512, 28, 512)), "49 tiles can");
        Assert.False(WinogradChoice.Forward(ConvolutionAlgorithm.Auto, new ConvGeometry(8, 64, 56, 56, 64, 1, 0)), "1x1 kernel");
        Assert.False(WinogradChoice.Forward(ConvolutionAlgorithm.Im2Col, Layer(8, 64, 224, 64)), "im2col asked for");
        Assert.True(WinogradChoice.Forward(ConvolutionAlgorithm.Winograd, Layer(1, 3, 4, 1)), "Winograd asked for");
    }

    [Fact]
    public void UnknownAlgorithmIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new FastBackend(1, (ConvolutionAlgorithm)7));

    /// <summary>Forward, backward data, backward filter (accumulating onto random gradients) and bias gradient, concatenated.</summary>
    private static float[] Run(IBackend backend, Tensor input, Tensor weight, Tensor bias, Tensor gradOutput, int padding)
    {
        using var output = new Tensor(gradOutput.Shape);
        using var gradInput = TestData.Random(5, input.Shape.ToArray());
        using var gradWeight = TestData.Random(6, weight.Shape.ToArray());
        using var gradBias = TestData.Random(7, bias.Shape.ToArray());
        backend.Conv2dForward(input, weight, bias, output, padding);
        backend.Conv2dBackwardData(gradOutput, weight, gradInput, padding);
        backend.Conv2dBackwardFilter(input, gradOutput, gradWeight, gradBias, padding);
        return [.. output.ToArray(), .. gradInput.ToArray(), .. gradWeight.ToArray(), .. gradBias.ToArray()];
    }

    private static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what)
    {
        double error = TestData.RelativeError(actual, expected);
        Assert.True(error <= Tolerance, $"{what}: relative error {error:E2} exceeds {Tolerance:E0}.");
    }
}

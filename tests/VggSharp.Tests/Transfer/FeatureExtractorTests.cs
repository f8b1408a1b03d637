using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;
using VggSharp.Tests.Data;
using VggSharp.Tests.Evaluation;
using VggSharp.Transfer;
using Xunit;

namespace VggSharp.Tests.Transfer;

public class FeatureExtractorTests
{
    private const double Tolerance = 1e-5;

    internal static VggModel SmallModel(ulong seed = 11, int classes = 5) => VggModel.Create(new VggOptions
    {
        Configuration = "8,M,16,M", InputSize = 16, Classes = classes, Head = VggHead.Small, HiddenUnits = 12,
        Preprocessing = new Preprocessing(1f / 255, [0.5f, 0.4f, 0.3f], [0.25f, 0.2f, 0.3f]),
    }, scheme: InitScheme.Kaiming, seed: seed);

    /// <summary>
    /// By hand: the dense network's layers through <paramref name="role"/> on the whole rescaled image (and its flip),
    /// the output averaged over positions, then over the views. Not normalised.
    /// </summary>
    private static double[] HandDescriptor(VggModel model, DecodedImage image, int scale, string role, bool flip)
    {
        using var dense = model.ToFullyConvolutional();
        int layers = dense.LayerRoles.ToList().IndexOf(role) + 1;
        var transform = new EvaluationTransform(model.Options.InputSize, model.Options.InputChannels, model.Options.EffectivePreprocessing);
        var rescaled = transform.Rescale(image, scale);
        double[]? sum = null;
        foreach (bool flipped in flip ? new[] { false, true } : [false])
        {
            using var input = transform.Whole(rescaled, flipped);
            var output = dense.Network.Forward(input, ForwardContext.Inference, layers);
            int channels = output.Shape[1], area = output.Shape[2] * output.Shape[3];
            var values = output.ToArray();
            sum ??= new double[channels];
            for (int c = 0; c < channels; c++)
                sum[c] += values.Skip(c * area).Take(area).Sum(v => (double)v) / area / (flip ? 2 : 1);
        }
        return sum!;
    }

    private static double[] Normalised(double[] values)
    {
        double norm = Math.Sqrt(values.Sum(v => v * v));
        return [.. values.Select(v => v / norm)];
    }

    private static void AssertClose(IReadOnlyList<double> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Count, actual.Length);
        for (int i = 0; i < expected.Count; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < Tolerance, $"value {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void TheDescriptorIsTheMeanOfTheDenseMapsOverFlipsAndScales()
    {
        using var model = SmallModel();
        var image = ResamplerTests.Noise(21, 17, 3, seed: 4);
        using var extractor = new FeatureExtractor([model], new FeatureOptions { Layer = "fc7", Scales = [16, 24] });
        var descriptor = extractor.Describe(image);

        var at16 = HandDescriptor(model, image, 16, "relu7", flip: true);
        var at24 = HandDescriptor(model, image, 24, "relu7", flip: true);
        AssertClose(Normalised([.. at16.Zip(at24, (a, b) => (a + b) / 2)]), descriptor);
        Assert.Equal(12, extractor.Dimension);
    }

    [Fact]
    public void WithoutFlipsOnlyTheImageCounts()
    {
        using var model = SmallModel();
        var image = ResamplerTests.Noise(20, 20, 3, seed: 8);
        using var extractor = new FeatureExtractor([model], new FeatureOptions { Layer = "pool2", Scales = [20], Flip = false });
        AssertClose(Normalised(HandDescriptor(model, image, 20, "pool2", flip: false)), extractor.Describe(image));
        Assert.Equal(16, extractor.Dimension);
    }

    [Fact]
    public void DescriptorsHaveUnitLength()
    {
        using var model = SmallModel();
        using var extractor = new FeatureExtractor([model], new FeatureOptions { Layer = "fc6", Scales = [16, 20], Aggregation = FeatureAggregation.Stack });
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var descriptor = extractor.Describe(ResamplerTests.Noise(18 + seed, 16, 3, seed));
            Assert.Equal(1, Math.Sqrt(descriptor.Sum(v => (double)v * v)), 5);
        }
    }

    [Fact]
    public void StackConcatenatesScalesInOrderThenModelsInOrder()
    {
        using var first = SmallModel(seed: 11);
        using var second = SmallModel(seed: 12, classes: 3);
        var image = ResamplerTests.Noise(23, 19, 3, seed: 6);
        using var stacked = new FeatureExtractor([first, second], new FeatureOptions { Scales = [24, 16], Aggregation = FeatureAggregation.Stack });
        var descriptor = stacked.Describe(image);
        Assert.Equal(4 * 12, descriptor.Length);

        // Each block, normalised alone, is the single-scale, single-model descriptor: first model at 24, at 16, then the second's.
        var blocks = new[] { (first, 24), (first, 16), (second, 24), (second, 16) };
        for (int b = 0; b < blocks.Length; b++)
        {
            var (model, scale) = blocks[b];
            using var single = new FeatureExtractor([model], new FeatureOptions { Scales = [scale] });
            var block = descriptor.AsSpan(b * 12, 12).ToArray();
            FeatureExtractor.Normalise(block);
            AssertClose([.. single.Describe(image).Select(v => (double)v)], block);
        }
    }

    [Fact]
    public void ALayerTheModelLacksIsOneClearError()
    {
        using var model = SmallModel();
        var e = Assert.Throws<ArgumentException>(() => new FeatureExtractor([model], new FeatureOptions { Layer = "conv5_3" }));
        Assert.StartsWith("Model 1 (8,M,16,M) has no layer 'conv5_3'; its layers are conv1_1, relu1_1, pool1,", e.Message);
    }

    [Fact]
    public void ExtractWritesArraysNumPyReads()
    {
        using var model = SmallModel();
        var images = Enumerable.Range(0, 5).Select(i => ((DecodedImage?)ResamplerTests.Noise(16 + i, 18, 3, seed: i), i % 2)).ToList();
        images[3] = (null, 1);
        var data = new SyntheticDataset(["even", "odd"], images);
        using var extractor = new FeatureExtractor([model], new FeatureOptions { Scales = [16], BatchSize = 2 });
        var set = extractor.Extract(data);

        Assert.Equal(4, set.Count);
        Assert.Equal([0, 1, 0, 0], set.Labels);
        Assert.Equal([0, 1, 2, 4], set.Indices);
        Assert.Equal("image3.png", Assert.Single(set.BadImages).Source);
        AssertClose([.. extractor.Describe(images[4].Item1!).Select(v => (double)v)], set.Row(3));

        using var directory = new Interop.TemporaryDirectory();
        set.Save(directory.Path);
        using var reader = VggSharp.Interop.Numpy.NpyReader.Open(Path.Combine(directory.Path, FeatureSet.FeaturesFileName));
        Assert.Equal([4L, 12L], reader.Shape);
        Assert.Equal(["image0.png", "image1.png", "image2.png", "image4.png"], File.ReadAllLines(Path.Combine(directory.Path, FeatureSet.FilesFileName)));
        Assert.Equal(["even", "odd"], File.ReadAllLines(Path.Combine(directory.Path, FeatureSet.ClassesFileName)));
        byte[] labels = File.ReadAllBytes(Path.Combine(directory.Path, FeatureSet.LabelsFileName));
        Assert.Contains("'descr': '<i8'", System.Text.Encoding.ASCII.GetString(labels, 10, 60));
        Assert.Equal([0L, 1L, 0L, 0L], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(labels.AsSpan(labels.Length - 32)).ToArray());
    }
}

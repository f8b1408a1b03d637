using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Evaluation;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;
using VggSharp.Tests.Data;
using Xunit;

namespace VggSharp.Tests.Evaluation;

public class EvaluatorTests
{
    private const int Classes = 7;
    private const double Tolerance = 1e-5;

    private static VggModel SmallModel(int inputSize = 16, ulong seed = 11, Preprocessing? preprocessing = null)
    {
        var model = VggModel.Create(new VggOptions
        {
            Configuration = "8,M,16,M", InputSize = inputSize, Classes = Classes, Head = VggHead.Small, HiddenUnits = 16,
            Preprocessing = preprocessing ?? new Preprocessing(1f / 255, [0.5f, 0.4f, 0.3f], [0.25f, 0.2f, 0.3f]),
        }, scheme: InitScheme.Kaiming, seed: seed);
        return model;
    }

    private static EvaluationTransform TransformOf(VggModel model) =>
        new(model.Options.InputSize, model.Options.InputChannels, model.Options.EffectivePreprocessing);

    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (float l in logits) max = Math.Max(max, l);
        var e = new double[logits.Length];
        for (int i = 0; i < e.Length; i++) e[i] = Math.Exp(logits[i] - max);
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    /// <summary>The plain network's softmax on one crop of <paramref name="rescaled"/>.</summary>
    private static double[] CropPosterior(VggModel model, FloatImage rescaled, PixelRegion region, bool flip)
    {
        using var input = new Tensor(model.InputShape(1));
        TransformOf(model).Crop(rescaled, region, flip, input.Span);
        return Softmax(model.Forward(input, ForwardContext.Inference).Span);
    }

    private static double[] Mean(IEnumerable<double[]> posteriors)
    {
        var list = posteriors.ToList();
        return Enumerable.Range(0, list[0].Length).Select(c => list.Average(p => p[c])).ToArray();
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int c = 0; c < expected.Length; c++) Assert.True(Math.Abs(expected[c] - actual[c]) < Tolerance, $"class {c}: expected {expected[c]}, got {actual[c]}");
        Assert.True(Math.Abs(actual.Sum() - 1) < Tolerance);
    }

    private static EvaluationOptions Options(EvaluationProtocol protocol, params int[] scales) => new() { Protocol = protocol, Scales = scales };

    [Theory]
    [InlineData(20, 18, 16)]
    [InlineData(30, 17, 20)]
    [InlineData(16, 16, 16)]
    public void CenterIsTheSoftmaxOfTheCentreCrop(int width, int height, int scale)
    {
        using var model = SmallModel();
        var image = ResamplerTests.Noise(width, height, 3, seed: width + height);
        var rescaled = TransformOf(model).Rescale(image, scale);
        var expected = CropPosterior(model, rescaled, EvaluationCrops.Centre(rescaled.Width, rescaled.Height, 16), flip: false);

        AssertClose(expected, Evaluator.Predict(model, image, Options(EvaluationProtocol.Center, scale)));
    }

    [Fact]
    public void OneModelWithoutOptionsIsTheCentreCropAtItsInputSize()
    {
        using var model = SmallModel();
        var image = ResamplerTests.Noise(24, 20, 3, seed: 5);
        var rescaled = TransformOf(model).Rescale(image, model.Options.InputSize);
        var expected = CropPosterior(model, rescaled, EvaluationCrops.Centre(rescaled.Width, rescaled.Height, model.Options.InputSize), flip: false);

        AssertClose(expected, Evaluator.Predict(model, image));
    }

    [Fact]
    public void DenseAtTheInputSizeIsThePlainNetworkAveragedWithTheFlippedImage()
    {
        using var model = SmallModel();
        var image = ResamplerTests.Noise(23, 23, 3, seed: 3);
        var rescaled = TransformOf(model).Rescale(image, 16);
        var whole = new PixelRegion(0, 0, 16, 16);
        var expected = Mean([CropPosterior(model, rescaled, whole, flip: false), CropPosterior(model, rescaled, whole, flip: true)]);

        AssertClose(expected, Evaluator.Predict(model, image, Options(EvaluationProtocol.Dense, 16)));
    }

    [Fact]
    public void DenseOnALargerScaleAveragesTheClassScoreMap()
    {
        using var model = SmallModel();
        using var fcn = model.ToFullyConvolutional();
        var image = ResamplerTests.Noise(50, 36, 3, seed: 4);
        var transform = TransformOf(model);
        var rescaled = transform.Rescale(image, 32);
        var posteriors = new List<double[]>();
        foreach (bool flip in new[] { false, true })
        {
            using var input = transform.Whole(rescaled, flip);
            var map = fcn.Forward(input, ForwardContext.Inference);
            int area = map.Shape[2] * map.Shape[3];
            Assert.True(area > 1, $"map {map.Shape} should be larger than 1x1");
            var scores = map.ToArray();
            var averaged = Enumerable.Range(0, Classes).Select(c => (float)scores.Skip(c * area).Take(area).Average(s => (double)s)).ToArray();
            posteriors.Add(Softmax(averaged));
        }

        AssertClose(Mean(posteriors), Evaluator.Predict(model, image, Options(EvaluationProtocol.Dense, 32)));
    }

    [Fact]
    public void MultiCropAveragesTheFiveByFiveGridAndItsFlips()
    {
        using var model = SmallModel();
        var image = ResamplerTests.Noise(40, 30, 3, seed: 5);
        var rescaled = TransformOf(model).Rescale(image, 24);
        var grid = EvaluationCrops.Grid(rescaled.Width, rescaled.Height, 16);
        Assert.Equal(25, grid.Distinct().Count());
        var views = grid.SelectMany(region => new[] { CropPosterior(model, rescaled, region, false), CropPosterior(model, rescaled, region, true) }).ToList();
        Assert.Equal(50, views.Count);

        // A batch smaller than the 50 crops makes them span several forward passes.
        var options = Options(EvaluationProtocol.MultiCrop, 24) with { BatchSize = 7 };
        AssertClose(Mean(views), Evaluator.Predict(model, image, options));
    }

    [Fact]
    public void MultiCropWeighsEachOfTheFiftyCropsEqually()
    {
        // A gray image whose only feature lies inside the top-left grid crop alone: the crops that do not see it all
        // give the gray image's posterior, so the result is (1 x featured + 1 x its flip + 48 x gray) / 50.
        using var model = SmallModel();
        // Freshly initialised posteriors are nearly uniform; larger logits make the feature's effect measurable.
        var fc8 = model.FindLayer("fc8")!.Parameters.Single(p => p.Value.Shape.Rank == 2).Value.Span;
        for (int i = 0; i < fc8.Length; i++) fc8[i] *= 3000;
        var gray = new DecodedImage(40, 40, 3, Enumerable.Repeat((byte)128, 40 * 40 * 3).ToArray());
        var marked = new DecodedImage(40, 40, 3, (byte[])gray.Pixels.Clone());
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++)
                for (int c = 0; c < 3; c++) marked.Pixels[(y * 40 + x) * 3 + c] = (byte)(c == 0 ? 255 : 0);
        var transform = TransformOf(model);
        var rescaled = transform.Rescale(marked, 40);
        var corner = EvaluationCrops.Grid(40, 40, 16)[0];
        var plain = CropPosterior(model, transform.Rescale(gray, 40), corner, false);
        double change = CropPosterior(model, rescaled, corner, false).Zip(plain, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(change > 1e-2, $"the feature should change the corner crop's posterior, changed {change}");
        var expected = Enumerable.Range(0, Classes).Select(c =>
            (CropPosterior(model, rescaled, corner, false)[c] + CropPosterior(model, rescaled, corner, true)[c] + 48 * plain[c]) / 50).ToArray();

        AssertClose(expected, Evaluator.Predict(model, marked, Options(EvaluationProtocol.MultiCrop, 40)));
    }

    [Fact]
    public void DenseAndMultiCropIsTheMeanOfBoth()
    {
        using var model = SmallModel();
        var image = ResamplerTests.Noise(33, 27, 3, seed: 6);
        double[] Of(EvaluationProtocol p) => Evaluator.Predict(model, image, Options(p, 24)).Select(v => (double)v).ToArray();

        AssertClose(Mean([Of(EvaluationProtocol.Dense), Of(EvaluationProtocol.MultiCrop)]),
            Evaluator.Predict(model, image, Options(EvaluationProtocol.DenseAndMultiCrop, 24)));
    }

    [Theory]
    [InlineData(EvaluationProtocol.Center)]
    [InlineData(EvaluationProtocol.Dense)]
    [InlineData(EvaluationProtocol.MultiCrop)]
    public void SeveralScalesAverageThePosteriorsOfEachScale(EvaluationProtocol protocol)
    {
        using var model = SmallModel();
        var image = ResamplerTests.Noise(26, 35, 3, seed: 7);
        var perScale = new[] { 16, 20, 28 }.Select(q => Evaluator.Predict(model, image, Options(protocol, q)).Select(v => (double)v).ToArray());

        AssertClose(Mean(perScale), Evaluator.Predict(model, image, Options(protocol, 16, 20, 28)));
    }

    [Fact]
    public void AnEnsembleAveragesItsModelsEachWithItsOwnInputSizeAndPreprocessing()
    {
        using var first = SmallModel();
        using var second = SmallModel(inputSize: 24, seed: 12, preprocessing: Preprocessing.Caffe);
        var image = ResamplerTests.Noise(31, 29, 3, seed: 8);
        // No scales: each model runs at its own input size.
        var options = new EvaluationOptions { Protocol = EvaluationProtocol.Center };
        var alone = new[] { first, second }.Select(m => Evaluator.Predict(m, image, options).Select(v => (double)v).ToArray());

        AssertClose(Mean(alone), Evaluator.Predict([first, second], image, options));
    }

    [Fact]
    public void ModelsThatDisagreeOnClassesOrChannelsOrScalesAreRefused()
    {
        using var model = SmallModel();
        using var otherClasses = VggModel.Create(model.Options with { Classes = 3 });
        using var gray = VggModel.Create(model.Options with { InputChannels = 1, Preprocessing = null });
        var image = ResamplerTests.Noise(20, 20, 3, seed: 9);
        var options = new EvaluationOptions();

        Assert.Contains("classes", Assert.Throws<ArgumentException>(() => Evaluator.Predict([model, otherClasses], image, options)).Message);
        Assert.Contains("input channels", Assert.Throws<ArgumentException>(() => Evaluator.Predict([model, gray], image, options)).Message);
        Assert.Contains("smaller than model 1's input size", Assert.Throws<ArgumentException>(() => Evaluator.Predict(model, image, Options(EvaluationProtocol.Center, 12))).Message);
        Assert.Throws<ArgumentException>(() => Evaluator.Predict([], image, options));
        using var fcn = model.ToFullyConvolutional();
        Assert.Throws<ArgumentException>(() => Evaluator.Predict([fcn], image, options));
        var data = new SyntheticDataset(["a", "b"], [(image, 0)]);
        Assert.Contains("2 classes", Assert.Throws<ArgumentException>(() => Evaluator.Evaluate([model], data, options)).Message);
    }

    [Theory]
    [InlineData(EvaluationProtocol.Center, 4)]
    [InlineData(EvaluationProtocol.Dense, 3)]
    [InlineData(EvaluationProtocol.MultiCrop, 64)]
    [InlineData(EvaluationProtocol.DenseAndMultiCrop, 64)]
    public void ErrorsAndConfusionAgreeWithCountsOverEachImagesPosteriorAndBadImagesAreSkipped(EvaluationProtocol protocol, int batch)
    {
        using var model = SmallModel();
        var names = Enumerable.Range(0, Classes).Select(c => $"class{c}").ToArray();
        // Several images of one size (batched together in dense evaluation) and some of others, two of them bad.
        var items = Enumerable.Range(0, 14).Select(i => (
            Image: i is 3 or 9 ? null : ResamplerTests.Noise(i % 3 == 0 ? 24 : 20 + i, 20, 3, seed: 100 + i),
            Label: i % Classes)).ToList();
        var data = new SyntheticDataset(names, items);
        var options = Options(protocol, 16, 20) with { BatchSize = batch, Limit = 13, MaxDegreeOfParallelism = 2 };
        var progress = new List<(int Done, int Total)>();

        var result = Evaluator.Evaluate([model], data, options, (done, total) => progress.Add((done, total)));

        int top1Wrong = 0, top5Wrong = 0;
        var confusion = new long[Classes, Classes];
        foreach (var (image, label) in items.Take(13).Where(item => item.Image is not null))
        {
            var posterior = Evaluator.Predict(model, image!, options);
            int predicted = Array.IndexOf(posterior, posterior.Max());
            int ahead = posterior.Count(p => p > posterior[label]);
            top1Wrong += predicted == label ? 0 : 1;
            top5Wrong += ahead < 5 ? 0 : 1;
            confusion[label, predicted]++;
        }
        Assert.Equal(11, result.Count);
        Assert.Equal(top1Wrong / 11.0, result.Top1Error, 12);
        Assert.Equal(top5Wrong / 11.0, result.Top5Error, 12);
        Assert.Equal(names, result.Confusion.ClassNames);
        for (int a = 0; a < Classes; a++)
            for (int p = 0; p < Classes; p++) Assert.Equal(confusion[a, p], result.Confusion[a, p]);
        Assert.Equal([3, 9], result.BadImages.Select(b => b.Index));
        Assert.All(result.BadImages, b => Assert.Equal("truncated", b.Reason));
        Assert.Equal("image3.png", result.BadImages[0].Source);
        Assert.Equal((13, 13), progress[^1]);
        Assert.True(result.Seconds > 0);
    }

    [Fact]
    public void CancellationStopsTheEvaluation()
    {
        using var model = SmallModel();
        var data = new SyntheticDataset(["a", "b", "c", "d", "e", "f", "g"], [(ResamplerTests.Noise(16, 16, 3, 1), 0)]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Evaluator.Evaluate([model], data, new EvaluationOptions(), cancellation: cancelled.Token));
    }
}

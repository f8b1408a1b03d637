using VggSharp.Benchmarking;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Benchmarking;

public class ModelBenchmarkTests
{
    // conv 3→8 at 8x8: 13,824; conv 8→16 at 4x4: 18,432; fc6 64→32: 2,048; fc7 32→32: 1,024; fc8 32→10: 320.
    private const long MultiplyAdds = 13_824 + 18_432 + 2_048 + 1_024 + 320;

    private static VggModel Tiny(string config = "8,M,16,M")
    {
        var model = VggModel.Create(new VggOptions { Configuration = config, InputSize = 8, Classes = 10, Head = VggHead.Small, HiddenUnits = 32 }, scheme: InitScheme.Kaiming, seed: 3);
        return model;
    }

    private static float[][] Weights(VggModel model) => [.. model.Network.Parameters.Select(p => p.Value.Span.ToArray())];

    [Fact]
    public void CountsTheFlopsOfEachMode()
    {
        using var model = Tiny();
        Assert.Equal(2 * MultiplyAdds * 4, ModelBenchmark.FlopsPerIteration(model, BenchmarkMode.Infer, 4));
        // Training: forward, backward-filter and backward-data of every weighted layer but the first (conv1_1's input needs no gradient).
        Assert.Equal(2 * (3 * MultiplyAdds - 13_824) * 4, ModelBenchmark.FlopsPerIteration(model, BenchmarkMode.Train, 4));
    }

    [Fact]
    public void TrainingStepsUpdateTheWeightsAndReportEveryLayer()
    {
        using var model = Tiny("BN:8,M,16,M");
        var before = Weights(model);
        var options = new ModelBenchmarkOptions { Batch = 4, Warmup = 1, Iterations = 3 };

        var result = ModelBenchmark.Run(model, options);

        Assert.Equal(3, result.Seconds.Count);
        Assert.All(result.Seconds, s => Assert.True(s > 0));
        Assert.Equal(result.Seconds.Order().ElementAt(1), result.MedianSeconds);
        Assert.Equal(4 / result.MedianSeconds, result.ImagesPerSecond, 9);
        Assert.Equal(result.FlopsPerIteration / result.MedianSeconds / 1e9, result.GflopsPerSecond, 9);
        Assert.Equal(model.Network.Layers.Select(l => l.Name), result.Layers.Select(l => l.Name));
        Assert.Equal(ModelSummary.Of(model).Layers.Select(l => l.MultiplyAdds * 4), result.Layers.Select(l => l.MultiplyAdds));
        Assert.True(result.Layers.Where(l => l.MultiplyAdds > 0).All(l => l.BackwardFilter > TimeSpan.Zero));
        Assert.True(result.Loss > TimeSpan.Zero && result.Update > TimeSpan.Zero);
        // Four SGD steps moved every weight; batch norm saw four training batches; the profiler is gone again.
        var after = Weights(model);
        Assert.All(after.Zip(before), pair => Assert.NotEqual(pair.Second, pair.First));
        Assert.Equal(4, ((BatchNorm2d)model.Network.Layers[1]).BatchesTracked);
        Assert.Null(model.Network.Profiler);
    }

    [Fact]
    public void AnIterationIsTheTrainersStep()
    {
        // Two benchmark iterations from a model, and the same two steps by hand (zero the gradients, forward in training
        // mode, loss, backward, SGD update) on the benchmark's images, give the same bits.
        using var benchmarked = Tiny("BN:8,M,16,M");
        using var manual = Tiny("BN:8,M,16,M");
        var options = new ModelBenchmarkOptions { Batch = 3, Warmup = 1, Iterations = 1, LearningRate = 0.01f, Seed = 5 };
        ModelBenchmark.Run(benchmarked, options);

        using var images = ModelBenchmark.RandomImages(manual.InputShape(3), 5);
        using var loss = new SoftmaxCrossEntropyLoss(manual.Network.Backend);
        using var sgd = new SgdOptimizer(manual.Network, new SgdOptions());
        for (int step = 0; step < 2; step++)
        {
            manual.Network.ZeroGradients();
            loss.Compute(manual.Forward(images, new ForwardContext { Training = true, Seed = 5, Step = step }), [0, 1, 2]);
            manual.Backward(loss.Gradient);
            sgd.Step(0.01f);
        }

        var expected = Weights(manual);
        var actual = Weights(benchmarked);
        for (int p = 0; p < expected.Length; p++) Assert.Equal(expected[p], actual[p]);
    }

    [Fact]
    public void InferenceLeavesTheWeightsAlone()
    {
        using var model = Tiny();
        var before = Weights(model);

        var result = ModelBenchmark.Run(model, new ModelBenchmarkOptions { Mode = BenchmarkMode.Infer, Batch = 3, Warmup = 1, Iterations = 2 });

        Assert.Equal(before, Weights(model));
        Assert.Equal(TimeSpan.Zero, result.Loss + result.Update);
        Assert.All(result.Layers, l => Assert.Equal(TimeSpan.Zero, l.BackwardData + l.BackwardFilter));
        Assert.Equal(2 * MultiplyAdds * 3, result.FlopsPerIteration);
    }

    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, -1, 1)]
    [InlineData(1, 0, 0)]
    public void RejectsBadOptions(int batch, int warmup, int iterations)
    {
        using var model = Tiny();
        Assert.Throws<ArgumentException>(() =>
            ModelBenchmark.Run(model, new ModelBenchmarkOptions { Batch = batch, Warmup = warmup, Iterations = iterations }));
        Assert.Throws<ArgumentException>(() =>
            ModelBenchmark.Run(model, new ModelBenchmarkOptions { Sgd = new SgdOptions { Momentum = 1.5f } }));
    }

    [Fact]
    public void ADivergingStepStopsTheBenchmark()
    {
        using var model = Tiny();
        foreach (var p in model.Network.Parameters) p.Value.Span.Fill(float.NaN);

        Assert.Throws<TrainingDivergedException>(() => ModelBenchmark.Run(model, new ModelBenchmarkOptions { Batch = 2, Warmup = 0, Iterations = 1 }));
    }
}

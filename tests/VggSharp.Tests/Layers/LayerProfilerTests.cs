using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Layers;

public class LayerProfilerTests
{
    private static VggModel Tiny() =>
        VggModel.Create(new VggOptions { Configuration = "BN:4,M,6,M", InputSize = 8, InputChannels = 2, Classes = 3, Head = VggHead.Small, HiddenUnits = 10 },
            TestBackends.Create("fast"), InitScheme.Glorot, seed: 7);

    /// <summary>One training step's logits and parameter gradients, from a freshly initialised model.</summary>
    private static (float[] Logits, float[][] Gradients) Step(bool profiled)
    {
        using var model = Tiny();
        using var loss = new SoftmaxCrossEntropyLoss(model.Network.Backend);
        using var x = TestData.Random(3, 4, 2, 8, 8);
        using var profiler = profiled ? model.Network.Profile() : null;
        model.Network.ZeroGradients();
        var logits = model.Forward(x, new ForwardContext { Training = true, Seed = 2 });
        float[] values = logits.Span.ToArray();
        loss.Compute(logits, [0, 1, 2, 0]);
        model.Backward(loss.Gradient);
        return (values, [.. model.Network.Parameters.Select(p => p.Gradient.Span.ToArray())]);
    }

    [Fact]
    public void ProfilingChangesNoResult()
    {
        var plain = Step(profiled: false);
        var profiled = Step(profiled: true);

        Assert.Equal(plain.Logits, profiled.Logits);
        Assert.Equal(plain.Gradients.Length, profiled.Gradients.Length);
        for (int i = 0; i < plain.Gradients.Length; i++) Assert.Equal(plain.Gradients[i], profiled.Gradients[i]);
    }

    [Fact]
    public void TimesEveryLayerAndSplitsBackwardIntoDataAndFilter()
    {
        using var model = Tiny();
        using var loss = new SoftmaxCrossEntropyLoss(model.Network.Backend);
        using var x = TestData.Random(3, 4, 2, 8, 8);
        using var profiler = model.Network.Profile();
        Assert.Same(profiler, model.Network.Profiler);

        model.Network.ZeroGradients();
        loss.Compute(model.Forward(x, new ForwardContext { Training = true }), [0, 1, 2, 0]);
        model.Backward(loss.Gradient);
        var timings = profiler.Timings();

        Assert.Equal(model.Network.Layers.Count, timings.Count);
        Assert.Equal(model.Network.Layers, timings.Select(t => t.Layer));
        // Only the convolution and fully-connected layers have parameter-gradient kernels; batch norm's is fused into its backward-data.
        foreach (var t in timings)
        {
            bool weighted = t.Layer is Conv2d or Linear;
            Assert.True(weighted ? t.Forward > TimeSpan.Zero : t.Forward >= TimeSpan.Zero, $"{t.Layer.Name}: forward {t.Forward}");
            Assert.True(weighted ? t.BackwardFilter > TimeSpan.Zero : t.BackwardFilter == TimeSpan.Zero, $"{t.Layer.Name}: backward-filter {t.BackwardFilter}");
            Assert.True(t.BackwardData >= TimeSpan.Zero);
        }
        Assert.True(timings.Single(t => t.Layer.Name == "features.1").BackwardData > TimeSpan.Zero, "batch norm's backward counts as backward-data");

        profiler.Reset();
        Assert.All(profiler.Timings(), t => Assert.Equal(TimeSpan.Zero, t.Total));
    }

    [Fact]
    public void InferenceRecordsNoBackwardTime()
    {
        using var model = Tiny();
        using var x = TestData.Random(3, 2, 2, 8, 8);
        using var profiler = model.Network.Profile();
        model.Forward(x, ForwardContext.Inference);

        Assert.All(profiler.Timings(), t => Assert.Equal(TimeSpan.Zero, t.BackwardData + t.BackwardFilter));
    }

    [Fact]
    public void DisposingDetachesTheProfilerAndRestoresTheBackend()
    {
        using var model = Tiny();
        var network = model.Network;
        var profiler = network.Profile();
        Assert.All(network.Layers, l => Assert.NotSame(network.Backend, l.Backend));
        Assert.Throws<InvalidOperationException>(() => network.Profile());

        profiler.Dispose();

        Assert.Null(network.Profiler);
        Assert.All(network.Layers, l => Assert.Same(network.Backend, l.Backend));
        using var again = network.Profile();
        profiler.Dispose(); // a stale profiler detaches nothing
        Assert.Same(again, network.Profiler);
    }

    [Fact]
    public void MovingAProfiledNetworkToAnotherBackendKeepsItProfiled()
    {
        using var model = Tiny();
        using var profiler = model.Network.Profile();
        var other = TestBackends.Create("reference");
        model.Network.Backend = other;
        using var x = TestData.Random(3, 2, 2, 8, 8);
        model.Forward(x, ForwardContext.Inference);

        Assert.Equal("reference", model.Network.Layers[0].Backend.Name);
        Assert.True(profiler.Timings()[0].Forward > TimeSpan.Zero);
        profiler.Dispose();
        Assert.All(model.Network.Layers, l => Assert.Same(other, l.Backend));
    }
}

using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tests.Interop;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

public class SgdOptimizerTests
{
    /// <summary>One fully-connected layer: a decayed weight [outputs, inputs] and an undecayed bias.</summary>
    private static Sequential Network(int inputs, int outputs) => new([new Linear("fc", inputs, outputs)], Backends.Default);

    [Fact]
    public void TwoStepsMatchAHandComputation()
    {
        using var network = Network(1, 1);
        var (weight, bias) = (network.Parameters.First(), network.Parameters.Last());
        weight.Value.Span[0] = 1f;
        bias.Value.Span[0] = 1f;
        using var sgd = new SgdOptimizer(network, new SgdOptions { Momentum = 0.9f, WeightDecay = 0.1f });

        weight.Gradient.Span[0] = 0.5f;
        bias.Gradient.Span[0] = 0.5f;
        sgd.Step(0.1f);
        // Weight: d = 0.5 + 0.1 * 1 = 0.6; v = 0.6 (PyTorch's first buffer is d itself); w = 1 - 0.1 * 0.6 = 0.94.
        // Bias, no decay: v = 0.5; b = 1 - 0.05 = 0.95.
        Assert.Equal(0.94f, weight.Value.Span[0], 6);
        Assert.Equal(0.95f, bias.Value.Span[0], 6);

        sgd.Step(0.1f);
        // Weight: d = 0.5 + 0.1 * 0.94 = 0.594; v = 0.9 * 0.6 + 0.594 = 1.134; w = 0.94 - 0.1134 = 0.8266.
        // Bias: v = 0.9 * 0.5 + 0.5 = 0.95; b = 0.95 - 0.095 = 0.855.
        Assert.Equal(0.8266f, weight.Value.Span[0], 6);
        Assert.Equal(0.855f, bias.Value.Span[0], 6);
    }

    [Fact]
    public void ManyStepsFollowTheDocumentedFormulaInDouble()
    {
        // 37 x 19 weights: not a multiple of any vector width, so the scalar tail runs too.
        using var network = Network(19, 37);
        var parameters = network.Parameters.ToList();
        var random = new Random(5);
        foreach (var p in parameters)
            for (int i = 0; i < p.Value.Length; i++) p.Value.Span[i] = (float)(random.NextDouble() * 2 - 1);
        var options = new SgdOptions { Momentum = 0.9f, WeightDecay = 5e-4f };
        using var sgd = new SgdOptimizer(network, options);
        var w = parameters.Select(p => p.Value.ToArray().Select(v => (double)v).ToArray()).ToList();
        var v = parameters.Select(p => new double[p.Value.Length]).ToList();
        float[] rates = [0.01f, 0.01f, 0.01f, 0.001f, 0.001f, 0.0001f];

        foreach (float lr in rates)
        {
            for (int k = 0; k < parameters.Count; k++)
            {
                var g = parameters[k].Gradient.Span;
                double decay = parameters[k].Decays ? options.WeightDecay : 0;
                for (int i = 0; i < g.Length; i++)
                {
                    g[i] = (float)(random.NextDouble() * 2 - 1);
                    v[k][i] = options.Momentum * v[k][i] + (g[i] + decay * w[k][i]);
                    w[k][i] -= lr * v[k][i];
                }
            }
            sgd.Step(lr);
        }

        for (int k = 0; k < parameters.Count; k++)
        {
            var actual = parameters[k].Value.ToArray();
            for (int i = 0; i < actual.Length; i++) Assert.Equal(w[k][i], actual[i], 1e-5);
        }
    }

    [Fact]
    public void WeightDecayShrinksWeightsButNotBiases()
    {
        using var network = Network(3, 2);
        foreach (var p in network.Parameters) p.Value.Span.Fill(2f);
        using var sgd = new SgdOptimizer(network, new SgdOptions { WeightDecay = 0.01f });
        network.ZeroGradients();

        sgd.Step(0.5f);

        var weight = network.Parameters.Single(p => p.Name == "weight");
        var bias = network.Parameters.Single(p => p.Name == "bias");
        Assert.True(weight.Decays);
        Assert.False(bias.Decays);
        Assert.All(weight.Value.ToArray(), x => Assert.Equal(2f - 0.5f * 0.01f * 2f, x, 6));
        Assert.All(bias.Value.ToArray(), x => Assert.Equal(2f, x));
    }

    [Fact]
    public void BatchNormParametersAreNotDecayed()
    {
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        var batchNorm = model.Network.Layers.OfType<BatchNorm2d>().First();
        var before = batchNorm.Parameters.Select(p => p.Value.ToArray()).ToList();
        model.Network.ZeroGradients();
        using var sgd = new SgdOptimizer(model.Network);

        sgd.Step(0.1f);

        Assert.Equal(before, batchNorm.Parameters.Select(p => p.Value.ToArray()).ToList());
    }

    [Fact]
    public void StateHoldsOneMomentumBufferPerParameterWithTorchvisionKeys()
    {
        using var model = VggModel.Create(SmallModels.Options("A"));
        using var sgd = new SgdOptimizer(model.Network);

        var state = sgd.State().ToList();

        var trainable = model.State().Where(e => e.IsTrainable).ToList();
        Assert.Equal(trainable.Select(e => "momentum." + e.Key), state.Select(e => e.Key));
        Assert.Contains(state, e => e.Key == "momentum.features.0.weight");
        Assert.Contains(state, e => e.Key == "momentum.classifier.6.bias");
        Assert.All(state.Zip(trainable), pair => Assert.Equal(pair.Second.Shape, pair.First.Shape));
        Assert.All(state, e => Assert.False(e.IsTrainable));
    }

    [Fact]
    public void StateAliasesTheBuffersTheStepUses()
    {
        using var network = Network(1, 1);
        using var sgd = new SgdOptimizer(network, new SgdOptions { WeightDecay = 0 });
        network.Parameters.First().Gradient.Span[0] = 2f;
        sgd.Step(0.1f);

        var momentum = sgd.State().First();
        Assert.Equal("momentum.fc.weight", momentum.Key);
        Assert.Equal(2f, BitConverter.ToSingle(momentum.Bytes));

        BitConverter.TryWriteBytes(momentum.Bytes, 10f);
        network.Parameters.First().Gradient.Span[0] = 0f;
        float before = network.Parameters.First().Value.Span[0];
        sgd.Step(0.1f);
        Assert.Equal(before - 0.1f * 9f, network.Parameters.First().Value.Span[0], 6);
    }

    [Fact]
    public void AStepAllocatesNothing()
    {
        using var model = VggModel.Create(SmallModels.Options("A"));
        using var sgd = new SgdOptimizer(model.Network);
        model.Network.ZeroGradients();
        sgd.Step(0.01f);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) sgd.Step(0.01f);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void ResetMomentumZeroesTheBuffers()
    {
        using var network = Network(4, 3);
        using var sgd = new SgdOptimizer(network);
        foreach (var p in network.Parameters) p.Gradient.Span.Fill(1f);
        sgd.Step(0.1f);

        sgd.ResetMomentum();

        Assert.All(sgd.State(), e => Assert.All(e.Bytes.ToArray(), b => Assert.Equal(0, b)));
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void BadLearningRatesAreRefused(float lr)
    {
        using var network = Network(1, 1);
        using var sgd = new SgdOptimizer(network);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.Step(lr));
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(-0.1f, 0f)]
    [InlineData(0.9f, -1f)]
    [InlineData(0.9f, float.NaN)]
    public void BadOptionsAreRefused(float momentum, float decay)
    {
        using var network = Network(1, 1);
        Assert.Throws<ArgumentException>(() => new SgdOptimizer(network, new SgdOptions { Momentum = momentum, WeightDecay = decay }));
    }
}

using VggSharp.Layers;
using VggSharp.Tensors;
using VggSharp.Tests.Distributed;
using Xunit;

namespace VggSharp.Tests.Layers;

/// <summary>Batch norm over a batch whose images are spread over several replicas (threads standing in for processes).</summary>
public class SynchronisedBatchNormTests
{
    private const int Channels = 3;

    [Theory]
    [InlineData("fast", new[] { 4, 4 })]
    [InlineData("fast", new[] { 5, 3 })]
    [InlineData("reference", new[] { 2, 5, 1 })]
    [InlineData("fast", new[] { 8, 0 })]
    [InlineData("fast", new[] { 0, 3, 0, 5 })]
    public void ReplicasComputeWhatOneLayerComputesOnTheWholeBatch(string backend, int[] parts)
    {
        int batch = parts.Sum();
        using var input = TestData.Random(1, batch, Channels, 4, 5);
        foreach (ref float v in input.Span) v = v * 40 + 100;
        using var gradOutput = TestData.Random(2, batch, Channels, 4, 5);
        using var single = new BatchNorm2d("bn", Channels) { Backend = TestBackends.Create(backend) };
        RandomAffine(single);
        var expectedOutput = single.Forward(input, new ForwardContext { Training = true }).ToArray();
        var expectedGradient = single.Backward(gradOutput, computeInputGradient: true)!.ToArray();

        var group = new InProcessGroup(parts.Length);
        var replicas = group.Run(member =>
        {
            int start = parts.Take(member.Rank).Sum(), count = parts[member.Rank];
            var layer = new BatchNorm2d("bn", Channels) { Backend = TestBackends.Create(backend), Reduction = member };
            RandomAffine(layer);
            if (count == 0)
            {
                layer.ForwardWithoutSamples();
                layer.BackwardWithoutSamples();
                return (Layer: layer, Output: Array.Empty<float>(), Gradient: Array.Empty<float>());
            }
            using var x = input.Items(start, count);
            using var dy = gradOutput.Items(start, count);
            var output = layer.Forward(x, new ForwardContext { Training = true }).ToArray();
            return (Layer: layer, Output: output, Gradient: layer.Backward(dy, computeInputGradient: true)!.ToArray());
        });

        AssertClose(expectedOutput, [.. replicas.SelectMany(r => r.Output)], "outputs");
        AssertClose(expectedGradient, [.. replicas.SelectMany(r => r.Gradient)], "input gradients");
        // Parameter gradients are each replica's share: their sum is the whole batch's.
        AssertClose(single.Weight.Gradient.ToArray(), Sum(replicas.Select(r => r.Layer.Weight.Gradient)), "weight gradient");
        AssertClose(single.Bias.Gradient.ToArray(), Sum(replicas.Select(r => r.Layer.Bias.Gradient)), "bias gradient");
        foreach (var (layer, _, _) in replicas)
        {
            // Every replica, with samples or without, moves its running statistics as the single layer did.
            AssertClose(single.RunningMean.ToArray(), layer.RunningMean.ToArray(), "running mean");
            AssertClose(single.RunningVariance.ToArray(), layer.RunningVariance.ToArray(), "running variance");
            Assert.Equal(single.BatchesTracked, layer.BatchesTracked);
            layer.Dispose();
        }
    }

    [Fact]
    public void ALayerWithoutAReductionCannotSkipItsSamples()
    {
        using var layer = new BatchNorm2d("bn", Channels) { Backend = TestBackends.Create("fast") };
        Assert.Throws<InvalidOperationException>(layer.ForwardWithoutSamples);
    }

    [Fact]
    public void BackwardReportsEachLayerAsSoonAsItIsDoneLastLayerFirst()
    {
        using var network = new Sequential([new Linear("a", 3, 4), new ReLU("r"), new Linear("b", 4, 2)], TestBackends.Create("fast"));
        int seed = 10;
        foreach (var p in network.Parameters)
        {
            using var values = TestData.Random(seed++, p.Value.Shape.ToArray());
            values.Span.CopyTo(p.Value.Span);
        }
        using var x = TestData.Random(3, 2, 3);
        var output = network.Forward(x, new ForwardContext { Training = true });
        using var gradOutput = TestData.Random(4, output.Shape.ToArray());
        var finished = new List<int>();
        network.Backward(gradOutput, layer =>
        {
            finished.Add(layer);
            // When layer i is reported, its parameter gradients are complete: those of "a" are non-zero only at the end.
            if (layer == 0) Assert.Contains(network.Layers[0].Parameters[0].Gradient.ToArray(), v => v != 0);
        });
        Assert.Equal([2, 1, 0], finished);
    }

    private static void RandomAffine(BatchNorm2d layer)
    {
        using var weight = TestData.Random(5, Channels);
        using var bias = TestData.Random(6, Channels);
        weight.Span.CopyTo(layer.Weight.Value.Span);
        bias.Span.CopyTo(layer.Bias.Value.Span);
    }

    private static float[] Sum(IEnumerable<Tensor> tensors)
    {
        var total = new float[Channels];
        foreach (var t in tensors)
            for (int i = 0; i < Channels; i++) total[i] += t.Span[i];
        return total;
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double error = TestData.RelativeError(actual, expected);
        Assert.True(error <= 1e-5, $"{what}: relative error {error:E2}");
    }
}

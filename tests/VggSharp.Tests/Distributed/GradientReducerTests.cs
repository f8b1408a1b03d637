using VggSharp.Distributed;
using VggSharp.Layers;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Distributed;

public class GradientReducerTests
{
    /// <summary>Layers of 120 + 4, 0, 120 + 30 and 60 + 2 parameters (weights + biases); backward meets the biases first.</summary>
    private static Sequential Network() =>
        new([new Linear("big", 30, 4), new ReLU("r"), new Linear("middle", 4, 30), new Linear("small", 30, 2)], TestBackends.Create("fast"));

    /// <summary>
    /// Buckets of 16 floats: layer 3's bias alone, its weight in 4 chunks; layer 2's bias in 2 chunks and weight in 8;
    /// layer 0's bias alone and weight in 8. Of 100 floats: layer 3's gradients and layer 2's bias packed together (so
    /// they start after layer 2), layer 2's weight in 2 chunks, then layer 0's bias, and its weight in 2 chunks.
    /// </summary>
    [Theory]
    [InlineData(2, 64, new[] { 5, 15, 15, 24 })]
    [InlineData(3, 400, new[] { 0, 3, 3, 6 })]
    [InlineData(2, 4, new[] { 62, 212, 212, 336 })]
    [InlineData(1, 1 << 20, new[] { 0, 0, 0, 1 })]
    public void GradientsBecomeTheirSumOverTheRanksInBucketsStartedAsSoonAsBackwardHasPassedTheirLayers(int ranks, int bucketBytes, int[] startedAfterEachLayer)
    {
        var group = new InProcessGroup(ranks);
        var results = group.Run(member =>
        {
            using var network = Network();
            using var reducer = new GradientReducer(network, member, bucketBytes);
            // Each rank's gradient is rank + 1 times a pattern; the sum is ranks (ranks + 1) / 2 times it.
            foreach (var p in network.Parameters)
            {
                var g = p.Gradient.Span;
                for (int i = 0; i < g.Length; i++) g[i] = (member.Rank + 1) * (i % 7 - 3);
            }
            var started = new List<int>();
            for (int layer = network.Layers.Count - 1; layer >= 0; layer--)
            {
                reducer.LayerFinished(layer);
                started.Add(member.SumsStarted);
            }
            reducer.Finish();
            foreach (var p in network.Parameters)
            {
                var g = p.Gradient.Span;
                for (int i = 0; i < g.Length; i++) Assert.Equal(ranks * (ranks + 1) / 2 * (i % 7 - 3), g[i]);
            }
            // The next step reuses the buckets; Finish alone starts them all.
            foreach (var p in network.Parameters) p.Gradient.Span.Fill(member.Rank);
            reducer.Finish();
            Assert.All(network.Parameters, p => Assert.All(p.Gradient.ToArray(), v => Assert.Equal(ranks * (ranks - 1) / 2, v)));
            return (reducer.BucketCount, Started: started.ToArray());
        });
        Assert.All(results, r => Assert.Equal(startedAfterEachLayer, r.Started));
        Assert.All(results, r => Assert.Equal(startedAfterEachLayer[^1], r.BucketCount));
    }

    [Fact]
    public void ALayerLargerThanABucketIsSummedInChunksWhereItLies()
    {
        var group = new InProcessGroup(2);
        var counts = group.Run(member =>
        {
            using var network = new Sequential([new Linear("fc", 100, 10)], TestBackends.Create("fast"));
            using var reducer = new GradientReducer(network, member, bucketBytes: 64 * sizeof(float));
            foreach (var p in network.Parameters) p.Gradient.Span.Fill(1);
            reducer.Finish();
            Assert.All(network.Parameters, p => Assert.All(p.Gradient.ToArray(), v => Assert.Equal(2, v)));
            return reducer.BucketCount;
        });
        // 1000 weights in 16 chunks of 64 (the last of 40), then the 10 biases.
        Assert.Equal(17, counts[0]);
    }

    [Fact]
    public void BucketsMustHoldAFloat()
    {
        using var network = Network();
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientReducer(network, new InProcessGroup(1).Members[0], bucketBytes: 2));
    }
}

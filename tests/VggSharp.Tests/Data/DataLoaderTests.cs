using VggSharp.Data;
using Xunit;

namespace VggSharp.Tests.Data;

public class DataLoaderTests
{
    /// <summary>Image i is 2x2 gray with value i % 251; label i % 3; the indices in <paramref name="bad"/> fail to decode.</summary>
    private sealed class SyntheticDataset(int count, params int[] bad) : IImageDataset
    {
        public int Count => count;
        public IReadOnlyList<string> ClassNames => ["a", "b", "c"];
        public int LabelOf(int index) => index % 3;
        public string Describe(int index) => $"synthetic #{index}";
        public DecodedImage Load(int index, int? shortSideHint = null)
        {
            if (bad.Contains(index)) throw new ImageFormatException(Describe(index), "truncated");
            byte v = (byte)(index % 251);
            return new DecodedImage(2, 2, 1, [v, v, v, v]);
        }
    }

    /// <summary>Channel 0 carries the image's value, channel 1 a number drawn from the sample key (its "augmentation").</summary>
    private sealed class KeyedTransform(Func<DecodedImage, bool>? fail = null) : ISampleTransform
    {
        public int Channels => 2;
        public int Height => 1;
        public int Width => 1;
        public int? ShortSideHint => null;
        public void Apply(DecodedImage image, ulong sampleKey, Span<float> destination)
        {
            if (fail?.Invoke(image) == true) throw new ArgumentException("a 3-channel image for a 1-channel model");
            destination[0] = image.Pixels[0];
            destination[1] = sampleKey % 100_000;
        }
    }

    private static List<(int Number, int[] Indices, int[] Labels, float[] Images, long[] Samples)> Collect(DataLoader loader, int epoch, int first = 0, List<BadImage>? bad = null) =>
        loader.Epoch(epoch, first, b => bad?.Add(b))
            .Select(b => (b.Number, b.DatasetIndices[..b.Count], b.Labels[..b.Count], b.Count > 0 ? b.Images.ToArray() : [], b.SampleIndices[..b.Count]))
            .ToList();

    [Fact]
    public void AnEpochVisitsEverySampleOnceInAShuffledOrderThatChangesPerEpoch()
    {
        using var loader = new DataLoader(new SyntheticDataset(103), new KeyedTransform(), new DataLoaderOptions { BatchSize = 10, Seed = 5 });
        Assert.Equal(11, loader.BatchesPerEpoch);
        var epoch0 = Collect(loader, 0);
        Assert.Equal(Enumerable.Range(0, 11), epoch0.Select(b => b.Number));
        var indices = epoch0.SelectMany(b => b.Indices).ToList();
        Assert.Equal(Enumerable.Range(0, 103), indices.Order());
        Assert.NotEqual(Enumerable.Range(0, 103), indices);
        Assert.Equal(3, epoch0[^1].Indices.Length);
        Assert.All(epoch0, b => Assert.Equal(b.Indices.Select(i => i % 3), b.Labels));
        Assert.All(epoch0, b => Assert.Equal(b.Indices.Select(i => (float)(i % 251)), b.Images.Where((_, k) => k % 2 == 0)));
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), epoch0.SelectMany(b => b.Samples));
        Assert.NotEqual(indices, Collect(loader, 1).SelectMany(b => b.Indices));
        Assert.Equal(Enumerable.Range(103, 103).Select(i => (long)i), Collect(loader, 1).SelectMany(b => b.Samples));
    }

    [Fact]
    public void BatchesAreTheSameBitsWhateverTheWorkerCountAndAResumedEpochContinuesExactly()
    {
        var options = new DataLoaderOptions { BatchSize = 7, Seed = 9, Prefetch = 2 };
        using var one = new DataLoader(new SyntheticDataset(60), new KeyedTransform(), options with { Workers = 1 });
        using var three = new DataLoader(new SyntheticDataset(60), new KeyedTransform(), options with { Workers = 3 });
        var reference = Collect(one, 2);
        var parallel = Collect(three, 2);
        Assert.Equal(reference.Select(b => b.Images), parallel.Select(b => b.Images));
        Assert.Equal(reference.Select(b => b.Indices), parallel.Select(b => b.Indices));
        var resumed = Collect(three, 2, first: 4);
        Assert.Equal(reference.Skip(4).Select(b => b.Images), resumed.Select(b => b.Images));
        Assert.Equal(reference.Skip(4).Select(b => b.Samples), resumed.Select(b => b.Samples));
    }

    [Fact]
    public void WithoutShuffleTheOrderIsNaturalAndLimitTakesTheFirstSamples()
    {
        using var loader = new DataLoader(new SyntheticDataset(50), new KeyedTransform(), new DataLoaderOptions { BatchSize = 8, Shuffle = false, Limit = 20 });
        Assert.Equal(20, loader.SampleCount);
        Assert.Equal(Enumerable.Range(0, 20), Collect(loader, 0).SelectMany(b => b.Indices));
    }

    [Fact]
    public void BadImagesAreReportedAndLeftOutWithoutStoppingTheEpoch()
    {
        var bad = new List<BadImage>();
        using var loader = new DataLoader(new SyntheticDataset(30, 3, 17, 29), new KeyedTransform(), new DataLoaderOptions { BatchSize = 4, Seed = 1 });
        var batches = Collect(loader, 0, bad: bad);
        Assert.Equal(27, batches.Sum(b => b.Indices.Length));
        Assert.DoesNotContain(batches.SelectMany(b => b.Indices), i => i is 3 or 17 or 29);
        Assert.Equal([3, 17, 29], bad.Select(b => b.Index).Order());
        Assert.All(bad, b => Assert.Equal("truncated", b.Reason));
        Assert.Contains("synthetic #17", bad.Select(b => b.Source));
    }

    [Fact]
    public void ADataSetWhoseImagesAreAllBadStopsWithAClearError()
    {
        using var loader = new DataLoader(new SyntheticDataset(150, [.. Enumerable.Range(0, 150)]), new KeyedTransform(), new DataLoaderOptions { BatchSize = 16 });
        var e = Assert.Throws<InvalidOperationException>(() => Collect(loader, 0));
        Assert.Contains("could be used", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TheRestOfAnEpochWithOnlyBadImagesIsNotAnUnreadableDataSet()
    {
        // One good image of four in batches of one; a resumed run may start in an epoch after that image's batch.
        var dataset = new SyntheticDataset(4, 1, 2, 3);
        var options = new DataLoaderOptions { BatchSize = 1 };
        using var loader = new DataLoader(dataset, new KeyedTransform(), options);
        var (epoch, goodBatch) = Enumerable.Range(0, 10).Select(e => (e, Collect(loader, e).Single().Number)).First(p => p.Item2 < 3);

        using var resumed = new DataLoader(dataset, new KeyedTransform(), options);
        var bad = new List<BadImage>();
        Assert.Empty(Collect(resumed, epoch, goodBatch + 1, bad));
        Assert.Equal(3 - goodBatch, bad.Count);
    }

    [Fact]
    public void AFailingTransformStopsTheEpochWithItsMessage()
    {
        using var loader = new DataLoader(new SyntheticDataset(40), new KeyedTransform(image => image.Pixels[0] == 33), new DataLoaderOptions { BatchSize = 5, Workers = 2 });
        var e = Assert.Throws<InvalidOperationException>(() => Collect(loader, 0));
        Assert.Contains("1-channel model", e.Message);
    }

    [Fact]
    public void BreakingOutEarlyStopsTheWorkersAndTheLoaderCanRunAgain()
    {
        using var loader = new DataLoader(new SyntheticDataset(200), new KeyedTransform(), new DataLoaderOptions { BatchSize = 4, Workers = 3, Prefetch = 2 });
        foreach (var batch in loader.Epoch(0))
            if (batch.Number == 2) break;
        Assert.Equal(50, Collect(loader, 0).Count);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => loader.Epoch(1, cancellation: cancel.Token).ToList());
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(2, 2)]
    [InlineData(4, 1)]
    public void ShardsDealEachBatchInPiecesWithTheWholeBatchsBitsAndEveryRankGetsEveryBatch(int ranks, int pieceSize)
    {
        // 61 samples in batches of 10 (the last has 1): pieces of a batch go to the ranks in turn; bad images are left out.
        var options = new DataLoaderOptions { BatchSize = 10, Seed = 3, Workers = 2 };
        using var whole = new DataLoader(new SyntheticDataset(61, 7, 30), new KeyedTransform(), options);
        var expected = Collect(whole, 1);
        var shards = Enumerable.Range(0, ranks).Select(rank =>
        {
            var shard = new BatchShard(rank, ranks, pieceSize);
            using var loader = new DataLoader(new SyntheticDataset(61, 7, 30), new KeyedTransform(), options with { Shard = shard });
            var batches = Collect(loader, 1);
            Assert.Equal(loader.BatchesPerEpoch, batches.Count);
            Assert.All(batches, b => Assert.True(b.Indices.Length <= shard.Capacity(10)));
            return batches;
        }).ToList();
        for (int b = 0; b < expected.Count; b++)
        {
            var parts = shards.Select(s => s[b]).ToList();
            Assert.All(parts, p => Assert.Equal(expected[b].Number, p.Number));
            // Merged by their place in the batch, the ranks' samples are the whole batch's, with the same bits.
            var merged = parts.SelectMany(p => p.Samples.Select((sample, k) => (Sample: sample, Image: p.Images.Skip(2 * k).Take(2).ToArray(), Label: p.Labels[k])))
                .OrderBy(s => s.Sample).ToList();
            Assert.Equal(expected[b].Samples, merged.Select(s => s.Sample));
            Assert.Equal(expected[b].Images, merged.SelectMany(s => s.Image));
            Assert.Equal(expected[b].Labels, merged.Select(s => s.Label));
            for (int rank = 0; rank < ranks; rank++)
                Assert.All(parts[rank].Samples, s => Assert.Equal(rank, (int)(s - 61 - 10 * b) / pieceSize % ranks));
        }
    }

    [Theory]
    [InlineData(0, 2, 3, 10, 6)]
    [InlineData(1, 2, 3, 10, 4)]
    [InlineData(1, 2, 5, 10, 5)]
    [InlineData(2, 3, 4, 10, 2)]
    [InlineData(0, 1, 10, 10, 10)]
    public void AShardsCapacityIsItsLargestPartOfABatch(int rank, int ranks, int pieceSize, int batchSize, int capacity)
    {
        var shard = new BatchShard(rank, ranks, pieceSize);
        Assert.Equal(capacity, shard.Capacity(batchSize));
        Assert.Equal(capacity, Enumerable.Range(0, batchSize).Count(shard.Owns));
    }

    [Fact]
    public void ADatasetShardIsEveryRanksThImageOfTheFirstCount()
    {
        var source = new SyntheticDataset(10);
        var shards = Enumerable.Range(0, 3).Select(rank => new DatasetShard(source, 8, rank, 3)).ToList();
        Assert.Equal([3, 3, 2], shards.Select(s => s.Count));
        Assert.Equal([0, 3, 6], Enumerable.Range(0, 3).Select(i => shards[0].Load(i).Pixels[0]).Select(v => (int)v));
        Assert.Equal([2, 5], Enumerable.Range(0, 2).Select(i => shards[2].Load(i).Pixels[0]).Select(v => (int)v));
        Assert.Equal("synthetic #4", shards[1].Describe(1));
        Assert.Equal(Enumerable.Range(0, 8).Order(), shards.SelectMany((s, rank) => Enumerable.Range(0, s.Count).Select(i => rank + 3 * i)).Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => shards[2].Load(2));
        Assert.Equal(0, new DatasetShard(source, 1, 2, 3).Count);
        Assert.Throws<ArgumentException>(() => new DataLoader(source, new KeyedTransform(), new DataLoaderOptions { Shard = new BatchShard(2, 2, 1) }));
    }
}

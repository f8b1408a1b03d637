using VggSharp.Distributed;
using VggSharp.Interop;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Distributed;

/// <summary>
/// The trainer spread over ranks that are threads of this process (<see cref="InProcessGroup"/>): the same code as
/// under mpirun, with the awkward cases cheap to reach (ranks without samples in a pass or a whole step, micro-batches,
/// a short last batch). The real MPI job is tested in <see cref="MpiJobTests"/>.
/// </summary>
public class DataParallelTrainingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vggsharp-dp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private TrainingOptions Small(string name, int batch, int? microBatch, int limit, int scaleMin = 16) => new()
    {
        Schedule = new TrainingOptions().Schedule with { MaxEpochs = 1 },
        Augmentation = new() { MinScale = scaleMin, MaxScale = 20 },
        Loader = new() { BatchSize = batch, MicroBatchSize = microBatch, Limit = limit, Workers = 1 },
        ValidationLimit = 100, Seed = 5, OutputDirectory = Path.Combine(_root, name),
        Source = new TrainingSource { Model = new TrainingSource().Model with { Configuration = "BN:8,M,16,M,32,M", WidthMultiplier = 1, HiddenUnits = 32, InputSize = 16 } },
    };

    /// <summary>
    /// (ranks, batch, micro-batch per rank, limit). 24 in micro-batches of 8 on 2 ranks: the second pass is rank 0's
    /// alone, and the short last batch (200 = 8 x 24 + 8) is rank 0's alone too. 3 ranks without micro-batches: shares of
    /// 11, 11 and 10, and a last batch of 6 that rank 2 has no part of.
    /// </summary>
    [Theory]
    [InlineData(2, 24, 8, 200)]
    [InlineData(3, 32, null, 134)]
    public void RanksEndWithTheWeightsOfOneProcessWithTheSameBatch(int ranks, int batch, int? microBatch, int limit)
    {
        // One process computes each pass of N x m images at once, as the ranks do together.
        var single = TrainingLaunch.Start(Small("single", batch, microBatch * ranks, limit), Quiet());
        var options = Small("job", batch, microBatch, limit);
        var group = new InProcessGroup(ranks);
        var results = group.Run(member => TrainingLaunch.Start(options, Quiet(), distributed: new DistributedOptions { Communicator = member, BucketBytes = 16 << 10 }));

        double difference = Difference(single.ModelPath, results[0].ModelPath);
        Assert.True(difference < 1e-4, $"the job's weights differ from one process's by {difference:E2}");
        Assert.All(results, r => Assert.Equal(results[0].ValidationTop1Error, r.ValidationTop1Error));
        Assert.Equal(single.ValidationTop1Error, results[0].ValidationTop1Error, 6);

        // Batch norm without synchronisation would be one process with micro-batches of each rank's share: clearly different.
        int share = microBatch ?? (batch + ranks - 1) / ranks;
        var unsynchronised = TrainingLaunch.Start(Small("unsynchronised", batch, share, limit), Quiet());
        double control = Difference(unsynchronised.ModelPath, results[0].ModelPath);
        Assert.True(control > 100 * 1e-4, $"unsynchronised batch norm differs by only {control:E2}");
    }

    [Fact]
    public void AFailureOfRankZerosSetUpStopsEveryRankWithItsMessage()
    {
        var options = Small("bad", 16, null, 64, scaleMin: 8);
        var group = new InProcessGroup(2);
        var error = Assert.Throws<AggregateException>(() => group.Run(member => TrainingLaunch.Start(options, Quiet(), distributed: new DistributedOptions { Communicator = member })));
        Assert.Contains("smaller than the 16x16 crop", error.InnerException!.Message);
    }

    private static ProgressReporter Quiet() => new(TextWriter.Null, isTerminal: false);

    /// <summary>The largest difference between two models' tensors, relative to the tensor's norm (at least 0.01).</summary>
    internal static double Difference(string a, string b)
    {
        using var first = VggModelFile.Load(a);
        using var second = VggModelFile.Load(b);
        double worst = 0;
        foreach (var (x, y) in first.State().Zip(second.State()))
        {
            if (x.ElementType != VggSharp.Layers.StateElementType.Float32) continue;
            var p = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(x.Bytes);
            var q = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(y.Bytes);
            double diff = 0, norm = 0;
            for (int i = 0; i < p.Length; i++)
            {
                diff += ((double)p[i] - q[i]) * ((double)p[i] - q[i]);
                norm += (double)p[i] * p[i];
            }
            worst = Math.Max(worst, Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), 0.01));
        }
        return worst;
    }
}

using VggSharp.Layers;

namespace VggSharp.Distributed;

/// <summary>
/// Sums every parameter gradient of a network across the ranks of a data-parallel job, overlapping the communication
/// with backward. Gradients are grouped into buckets in the order backward completes them (last layer first): small
/// ones are packed together up to the bucket size, and a layer larger than that (fc6 of the paper's networks has 103
/// million weights, 411 MB) is split into chunks of the bucket size, summed in place. Each bucket's non-blocking sum
/// starts as soon as backward has passed all its layers (<see cref="LayerFinished"/>), and <see cref="Finish"/> waits
/// for them all before the update. Every rank builds the same buckets from the same network, so their operations match.
/// </summary>
public sealed class GradientReducer : IDisposable
{
    /// <summary>The default bucket size: 4 MiB of floats.</summary>
    public const int DefaultBucketBytes = 4 << 20;

    private readonly ICommunicator _communicator;
    private readonly GradientBucket[] _buckets;
    private int _nextToStart;

    /// <summary>Plans the buckets of <paramref name="network"/>'s parameters.</summary>
    /// <param name="network">The network whose gradients are summed.</param>
    /// <param name="communicator">The ranks to sum over.</param>
    /// <param name="bucketBytes">The largest bucket, in bytes (a multiple of 4).</param>
    public GradientReducer(Sequential network, ICommunicator communicator, int bucketBytes = DefaultBucketBytes)
    {
        if (bucketBytes < sizeof(float)) throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "A bucket holds at least one float.");
        _communicator = communicator;
        _buckets = Plan(network, bucketBytes / sizeof(float));
    }

    /// <summary>The number of buckets (non-blocking sums per step).</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>Starts the sums of every bucket whose layers backward has all passed, once layer <paramref name="layer"/> is done; lets started ones progress.</summary>
    public void LayerFinished(int layer)
    {
        while (_nextToStart < _buckets.Length && _buckets[_nextToStart].FirstLayer >= layer) _buckets[_nextToStart++].Start(_communicator);
        // MPI progresses non-blocking operations only inside MPI calls: poll the ones in flight between layers.
        for (int i = 0; i < _nextToStart; i++) _buckets[i].Poll();
    }

    /// <summary>Starts every sum not yet started (a rank with no samples in the last pass has all its gradients already).</summary>
    public void StartAll() => LayerFinished(0);

    /// <summary>Starts what is left and waits for every sum: the gradients then hold the sums over all ranks.</summary>
    public void Finish()
    {
        StartAll();
        foreach (var bucket in _buckets) bucket.Finish();
        _nextToStart = 0;
    }

    /// <summary>Frees the packing buffers.</summary>
    public void Dispose()
    {
        foreach (var bucket in _buckets) bucket.Dispose();
    }

    private static GradientBucket[] Plan(Sequential network, int bucketFloats)
    {
        var buckets = new List<GradientBucket>();
        var open = new List<(Parameter, int, int)>();
        int openCount = 0, openFirstLayer = 0;
        void Close()
        {
            if (open.Count > 0) buckets.Add(new GradientBucket(open, openFirstLayer));
            open.Clear();
            openCount = 0;
        }
        for (int layer = network.Layers.Count - 1; layer >= 0; layer--)
        {
            foreach (var parameter in network.Layers[layer].Parameters.Reverse())
            {
                int length = parameter.Value.Length;
                if (length > bucketFloats)
                {
                    Close();
                    for (int offset = 0; offset < length; offset += bucketFloats)
                        buckets.Add(new GradientBucket([(parameter, offset, Math.Min(bucketFloats, length - offset))], layer));
                    continue;
                }
                if (openCount + length > bucketFloats) Close();
                open.Add((parameter, 0, length));
                openCount += length;
                openFirstLayer = layer;
            }
        }
        Close();
        return [.. buckets];
    }
}

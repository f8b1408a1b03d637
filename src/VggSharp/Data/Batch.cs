using VggSharp.Tensors;

namespace VggSharp.Data;

/// <summary>
/// One prepared batch. Its buffers belong to the loader and are reused: a batch is valid until the enumeration that
/// produced it moves on. Bad images are left out, so <see cref="Count"/> may be below the batch size; a process's part
/// of a batch in a data-parallel job may even be empty (<see cref="DataLoaderOptions.Shard"/>).
/// </summary>
public sealed class Batch : IDisposable
{
    private readonly Tensor _storage;
    private Tensor? _view;

    internal Batch(int capacity, int passes, int channels, int height, int width, int targetLength = 0)
    {
        TargetLength = targetLength;
        Targets = new float[capacity * targetLength];
        Passes = new PassPlan(passes);
        _storage = new Tensor(capacity, channels, height, width);
        Labels = new int[capacity];
        DatasetIndices = new int[capacity];
        SampleIndices = new long[capacity];
    }

    /// <summary>The batch's position in its epoch (0-based).</summary>
    public int Number { get; internal set; }

    /// <summary>The number of samples in it.</summary>
    public int Count { get; internal set; }

    /// <summary>The images, [Count, C, H, W] (a view of the loader's buffer); none when the batch is empty.</summary>
    public Tensor Images => Count > 0
        ? _view ??= _storage.FirstItems(Count)
        : throw new InvalidOperationException($"This process's part of batch {Number} is empty: it has no images.");

    /// <summary>The labels; the first <see cref="Count"/> entries are valid.</summary>
    public int[] Labels { get; }

    /// <summary>
    /// The regression targets, when the loader prepares them (<see cref="ISampleTargets"/>): sample i's are the
    /// <see cref="ISampleTargets.Length"/> values from i times that length; empty otherwise.
    /// </summary>
    public float[] Targets { get; }

    /// <summary>The number of target values per sample: 0 when the loader prepares none.</summary>
    public int TargetLength { get; }

    /// <summary>Each sample's index in the data set; the first <see cref="Count"/> entries are valid.</summary>
    public int[] DatasetIndices { get; }

    /// <summary>
    /// Each sample's global index in the run (epoch * data set size + its position in the epoch's order): the identity
    /// that keys its dropout masks; the first <see cref="Count"/> entries are valid.
    /// </summary>
    public long[] SampleIndices { get; }

    /// <summary>How the batch splits into forward/backward passes (<see cref="DataLoaderOptions.MicroBatchSize"/>).</summary>
    public PassPlan Passes { get; }

    /// <summary>The images that could not be used in this batch.</summary>
    public List<BadImage> BadImages { get; } = [];

    internal Tensor Storage => _storage;

    internal void Reset(int number, int passes)
    {
        Number = number;
        Passes.Reset(passes);
        Count = 0;
        BadImages.Clear();
        if (_view is not null && !ReferenceEquals(_view, _storage)) _view.Dispose();
        _view = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_view is not null && !ReferenceEquals(_view, _storage)) _view.Dispose();
        _storage.Dispose();
    }
}

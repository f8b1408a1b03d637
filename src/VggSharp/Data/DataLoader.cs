using System.Diagnostics;
using VggSharp.Randomness;

namespace VggSharp.Data;

/// <summary>
/// Decodes and transforms samples on background threads into a bounded, in-order queue of reusable batches, so the
/// network does not wait on data. Each epoch visits the data set in an order drawn from the seed and the epoch, and
/// every sample's augmentation is keyed by (seed, epoch, data set index): the batches are the same bits whatever the
/// number of workers, and an epoch can start at any batch (resuming). In a data-parallel job each process prepares
/// only its part of every batch (<see cref="DataLoaderOptions.Shard"/>), with the same bits as the whole batch's. A bad
/// image is reported and left out of its batch; an epoch in which no image can be used stops with an error.
/// </summary>
public sealed class DataLoader : IDisposable
{
    private const int GiveUpAfterBadImages = 100;
    private readonly IImageDataset _dataset;
    private readonly ISampleTransform _transform;
    private readonly ISampleTargets? _targets;
    private readonly DataLoaderOptions _options;
    private readonly Stack<Batch> _free = new();
    private readonly List<Batch> _all = [];

    /// <summary>
    /// Creates a loader; nothing runs until an epoch is enumerated. With <paramref name="targets"/>, each sample's
    /// regression targets are prepared too (<see cref="Batch.Targets"/>).
    /// </summary>
    public DataLoader(IImageDataset dataset, ISampleTransform transform, DataLoaderOptions options, ISampleTargets? targets = null)
    {
        options.Validate();
        if (dataset.Count == 0) throw new ArgumentException("The data set is empty.");
        (_dataset, _transform, _options, _targets) = (dataset, transform, options, targets);
        SampleCount = Math.Min(dataset.Count, options.Limit ?? int.MaxValue);
    }

    /// <summary>Samples per epoch (the data set, or its first <see cref="DataLoaderOptions.Limit"/>).</summary>
    public int SampleCount { get; }

    /// <summary>The seconds the consumer has waited for batches not yet ready, over all epochs so far.</summary>
    public double WaitSeconds { get; private set; }

    /// <summary>Batches per epoch; the last may be short.</summary>
    public int BatchesPerEpoch => (SampleCount + _options.BatchSize - 1) / _options.BatchSize;

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> from batch <paramref name="firstBatch"/> on. A batch stays valid
    /// until the enumeration moves on; breaking out of the loop stops the workers.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, int firstBatch = 0, Action<BadImage>? onBadImage = null, CancellationToken cancellation = default)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch));
        if (firstBatch < 0 || firstBatch > BatchesPerEpoch) throw new ArgumentOutOfRangeException(nameof(firstBatch), $"Batch {firstBatch} of an epoch of {BatchesPerEpoch}.");
        return Run(epoch, firstBatch, onBadImage, cancellation);
    }

    private IEnumerable<Batch> Run(int epoch, int firstBatch, Action<BadImage>? onBadImage, CancellationToken cancellation)
    {
        var state = new EpochState(this, epoch, firstBatch, cancellation);
        int workers = Math.Min(_options.Workers, Math.Max(1, BatchesPerEpoch - firstBatch));
        var threads = Enumerable.Range(0, workers).Select(i => new Thread(state.Work) { IsBackground = true, Name = $"vggsharp-loader-{i}" }).ToList();
        threads.ForEach(t => t.Start());
        long good = 0, bad = 0;
        BadImage? firstBad = null;
        Batch? inHand = null;
        try
        {
            for (int b = firstBatch; b < BatchesPerEpoch; b++)
            {
                long waitStart = Stopwatch.GetTimestamp();
                var batch = inHand = state.Take(b);
                WaitSeconds += Stopwatch.GetElapsedTime(waitStart).TotalSeconds;
                foreach (var image in batch.BadImages)
                {
                    firstBad ??= image;
                    onBadImage?.Invoke(image);
                }
                good += batch.Count;
                bad += batch.BadImages.Count;
                if (good == 0 && bad >= GiveUpAfterBadImages) throw NoUsableImages(bad, firstBad!);
                // A process of a data-parallel job takes part in every step, even one in which its part is empty.
                if (batch.Count > 0 || _options.Shard is not null) yield return batch;
                inHand = null;
                state.Release(batch);
            }
            // Only a whole epoch tells: the rest of an epoch that a resumed run starts in may hold only bad images.
            if (good == 0 && bad > 0 && firstBatch == 0) throw NoUsableImages(bad, firstBad!);
        }
        finally
        {
            if (inHand is not null) state.Release(inHand);
            state.Stop();
            threads.ForEach(t => t.Join());
        }
        state.ThrowIfFailed();
    }

    private static InvalidOperationException NoUsableImages(long bad, BadImage first) =>
        new($"None of the first {bad} images could be used; the data set looks unreadable. First: {first.Source}: {first.Reason}");

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_free)
        {
            foreach (var b in _all) b.Dispose();
            _all.Clear();
            _free.Clear();
        }
    }

    private Batch Rent()
    {
        lock (_free)
        {
            if (_free.Count > 0) return _free.Pop();
            int passes = (_options.BatchSize + _options.PassSize - 1) / _options.PassSize;
            var batch = new Batch(_options.Shard?.Capacity(_options.BatchSize) ?? _options.BatchSize, passes, _transform.Channels, _transform.Height, _transform.Width,
                _targets?.Length ?? 0);
            _all.Add(batch);
            return batch;
        }
    }

    private void Return(Batch batch)
    {
        lock (_free) _free.Push(batch);
    }

    /// <summary>One epoch's hand-over between workers and the consumer.</summary>
    private sealed class EpochState(DataLoader loader, int epoch, int firstBatch, CancellationToken cancellation)
    {
        private readonly object _gate = new();
        private readonly Dictionary<int, Batch> _ready = [];
        private readonly int[] _order = EpochOrder.Of(loader.SampleCount, loader._options.Seed, epoch, loader._options.Shuffle);
        private int _nextToClaim = firstBatch, _nextToTake = firstBatch;
        private bool _stopped;
        private Exception? _failure;

        public void Work()
        {
            try
            {
                while (true)
                {
                    int b;
                    lock (_gate)
                    {
                        // Bounded queue: claim a batch only while fewer than Prefetch are ahead of the consumer.
                        while (!_stopped && _nextToClaim < loader.BatchesPerEpoch && _nextToClaim >= _nextToTake + loader._options.Prefetch)
                            Monitor.Wait(_gate);
                        if (_stopped || _nextToClaim >= loader.BatchesPerEpoch) return;
                        b = _nextToClaim++;
                    }
                    var batch = loader.Rent();
                    Fill(batch, b);
                    lock (_gate)
                    {
                        if (_stopped)
                        {
                            loader.Return(batch);
                            return;
                        }
                        _ready[b] = batch;
                        Monitor.PulseAll(_gate);
                    }
                }
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    _failure ??= e;
                    _stopped = true;
                    Monitor.PulseAll(_gate);
                }
            }
        }

        private void Fill(Batch batch, int number)
        {
            var transform = loader._transform;
            int size = loader._options.BatchSize, itemSize = transform.Channels * transform.Height * transform.Width;
            int start = number * size, end = Math.Min(start + size, loader.SampleCount), passSize = loader._options.PassSize;
            batch.Reset(number, passes: (end - start + passSize - 1) / passSize);
            var storage = batch.Storage;
            var shard = loader._options.Shard;
            for (int position = start; position < end; position++)
            {
                if (shard is not null && !shard.Owns(position - start)) continue;
                cancellation.ThrowIfCancellationRequested();
                int index = _order[position];
                try
                {
                    var image = loader._dataset.Load(index, transform.ShortSideHint);
                    ulong key = CounterRandom.Key(loader._options.Seed, 0x415547UL, (ulong)epoch, (ulong)index);
                    transform.Apply(image, key, storage.Span.Slice(batch.Count * itemSize, itemSize));
                    if (loader._targets is { } targets) targets.Write(index, image, key, batch.Targets.AsSpan(batch.Count * targets.Length, targets.Length));
                }
                catch (ImageFormatException e)
                {
                    batch.BadImages.Add(new BadImage(index, e.Source, e.Reason));
                    continue;
                }
                batch.Labels[batch.Count] = loader._dataset.LabelOf(index);
                batch.DatasetIndices[batch.Count] = index;
                batch.SampleIndices[batch.Count] = (long)epoch * loader.SampleCount + position;
                batch.Passes.Add((position - start) / passSize);
                batch.Count++;
            }
        }

        public Batch Take(int number)
        {
            lock (_gate)
            {
                while (!_ready.ContainsKey(number) && !_stopped && !cancellation.IsCancellationRequested) Monitor.Wait(_gate, 100);
                if (!_ready.Remove(number, out var batch))
                {
                    ThrowIfFailed();
                    cancellation.ThrowIfCancellationRequested();
                    throw new InvalidOperationException("The data loader stopped unexpectedly.");
                }
                _nextToTake = number + 1;
                Monitor.PulseAll(_gate);
                return batch;
            }
        }

        public void Release(Batch batch) => loader.Return(batch);

        public void Stop()
        {
            lock (_gate)
            {
                _stopped = true;
                foreach (var b in _ready.Values) loader.Return(b);
                _ready.Clear();
                Monitor.PulseAll(_gate);
            }
        }

        public void ThrowIfFailed()
        {
            if (_failure is null) return;
            if (_failure is OperationCanceledException oce) throw oce;
            throw new InvalidOperationException($"Preparing a batch failed: {_failure.Message}", _failure);
        }
    }
}

namespace VggSharp.Data;

/// <summary>How a <see cref="DataLoader"/> batches, orders and prepares samples.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch. Default 256, the paper's.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// Samples per forward/backward pass: a step's batch is processed in passes of at most this many samples, grouped
    /// by their place in the batch (<see cref="Batch.Passes"/>). Null: the whole batch at once.
    /// </summary>
    public int? MicroBatchSize { get; init; }

    /// <summary>Whether each epoch visits the samples in a new order drawn from <see cref="Seed"/> and the epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The run's seed: orders and augmentations derive from it.</summary>
    public ulong Seed { get; init; }

    /// <summary>Background threads that decode and transform. Default: one per processor.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Batches prepared ahead of the consumer (the bounded queue's capacity). Default 4.</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>Only the first this many samples of the data set (for quick runs); null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// This process's part of every batch when batches are split across the processes of a data-parallel job: the
    /// loader then decodes only that part, and <see cref="Batch.SampleIndices"/> still identify each sample's place in
    /// the whole batch. Null: whole batches.
    /// </summary>
    public BatchShard? Shard { get; init; }

    /// <summary>
    /// The places of a batch that make one pass: the micro-batch (at most the batch), or in a job the ranks' pieces
    /// taken together, which is what one process with micro-batches of that size computes at once.
    /// </summary>
    public int PassSize => Shard is { } shard ? shard.PieceSize * shard.Ranks : Math.Min(MicroBatchSize ?? BatchSize, BatchSize);

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        Shard?.Validate();
        if (BatchSize < 1) throw new ArgumentException($"Batch size must be at least 1, got {BatchSize}.");
        if (MicroBatchSize is < 1) throw new ArgumentException($"Micro-batch size must be at least 1, got {MicroBatchSize}.");
        if (Workers < 1) throw new ArgumentException($"Loader workers must be at least 1, got {Workers}.");
        if (Prefetch < 1) throw new ArgumentException($"Prefetch must be at least 1, got {Prefetch}.");
        if (Limit is < 1) throw new ArgumentException($"Limit must be at least 1, got {Limit}.");
    }
}

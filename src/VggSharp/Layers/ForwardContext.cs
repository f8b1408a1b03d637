namespace VggSharp.Layers;

/// <summary>
/// What a forward pass needs beyond its input: the mode, and the identities that make every random choice
/// reproducible. A dropout mask is a function of (<see cref="Seed"/>, <see cref="Step"/>, layer, the sample's
/// global index), so the same sample gets the same mask however a batch is split across threads or processes.
/// </summary>
public sealed class ForwardContext
{
    /// <summary>An evaluation-mode context (dropout off, batch norm on running statistics).</summary>
    public static ForwardContext Inference { get; } = new() { Training = false };

    /// <summary>True in training mode.</summary>
    public bool Training { get; init; }

    /// <summary>The run's seed.</summary>
    public ulong Seed { get; init; }

    /// <summary>The optimisation step (so each step draws fresh masks).</summary>
    public long Step { get; init; }

    /// <summary>The global index of each sample in the batch; when null, positions within the batch are used.</summary>
    public long[]? SampleIndices { get; init; }

    /// <summary>The global index of batch position <paramref name="n"/>.</summary>
    public long SampleIndex(int n) => SampleIndices is null ? n : SampleIndices[n];
}

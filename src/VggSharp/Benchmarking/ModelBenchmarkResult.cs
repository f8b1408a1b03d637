namespace VggSharp.Benchmarking;

/// <summary>What a <see cref="ModelBenchmark"/> measured.</summary>
public sealed record ModelBenchmarkResult
{
    /// <summary>The options it ran with.</summary>
    public required ModelBenchmarkOptions Options { get; init; }

    /// <summary>Wall-clock seconds of each timed iteration, in order.</summary>
    public required IReadOnlyList<double> Seconds { get; init; }

    /// <summary>
    /// Floating-point operations of one iteration: 2 per multiply-add of the convolutions and fully-connected layers,
    /// forward only in inference; forward, backward-data (every such layer but the first, whose input needs no
    /// gradient) and backward-filter in training.
    /// </summary>
    public required long FlopsPerIteration { get; init; }

    /// <summary>Per-layer mean time per timed iteration, in layer order.</summary>
    public required IReadOnlyList<LayerBreakdown> Layers { get; init; }

    /// <summary>Mean time per iteration of the softmax cross-entropy (zero in inference).</summary>
    public required TimeSpan Loss { get; init; }

    /// <summary>Mean time per iteration of clearing the gradients and the SGD update (zero in inference).</summary>
    public required TimeSpan Update { get; init; }

    /// <summary>The median of <see cref="Seconds"/>.</summary>
    public double MedianSeconds
    {
        get
        {
            var sorted = Seconds.Order().ToArray();
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    /// <summary>Images per second at the median iteration.</summary>
    public double ImagesPerSecond => Options.Batch / MedianSeconds;

    /// <summary>Achieved GFLOP/s at the median iteration.</summary>
    public double GflopsPerSecond => FlopsPerIteration / MedianSeconds / 1e9;
}

using VggSharp.Training;

namespace VggSharp.Benchmarking;

/// <summary>How a <see cref="ModelBenchmark"/> runs.</summary>
public sealed record ModelBenchmarkOptions
{
    /// <summary>A training step or inference. Default: training.</summary>
    public BenchmarkMode Mode { get; init; } = BenchmarkMode.Train;

    /// <summary>Images per iteration. Default 8.</summary>
    public int Batch { get; init; } = 8;

    /// <summary>Untimed iterations first (buffers, JIT, caches). Default 2.</summary>
    public int Warmup { get; init; } = 2;

    /// <summary>Timed iterations; the result is their median. Default 5.</summary>
    public int Iterations { get; init; } = 5;

    /// <summary>The SGD step's learning rate; small, so random data does not make the weights diverge. Default 0.001.</summary>
    public float LearningRate { get; init; } = 0.001f;

    /// <summary>Momentum and weight decay of the update (the paper's by default).</summary>
    public SgdOptions Sgd { get; init; } = new();

    /// <summary>Seeds the random images and the dropout masks.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks every value.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode)) throw new ArgumentException($"Unknown benchmark mode {Mode}.");
        if (Batch < 1) throw new ArgumentException($"The batch must be at least 1, got {Batch}.");
        if (Warmup < 0) throw new ArgumentException($"Warm-up iterations cannot be negative, got {Warmup}.");
        if (Iterations < 1) throw new ArgumentException($"At least one timed iteration is needed, got {Iterations}.");
        if (!(LearningRate >= 0) || float.IsInfinity(LearningRate)) throw new ArgumentException($"The learning rate must be finite and non-negative, got {LearningRate}.");
        Sgd.Validate();
    }
}

namespace VggSharp.Benchmarking;

/// <summary>What one iteration of a <see cref="ModelBenchmark"/> does.</summary>
public enum BenchmarkMode
{
    /// <summary>A full training step, as the trainer runs it: forward in training mode (dropout on), softmax cross-entropy, backward, SGD update.</summary>
    Train,

    /// <summary>Inference: forward in evaluation mode (dropout off, batch norm on running statistics).</summary>
    Infer,
}

namespace VggSharp.Bench;

/// <summary>A workload whose kernels are multiply-adds (convolution, GEMM), so its throughput in GFLOP/s can be shown.</summary>
public interface IMultiplyAddCount
{
    /// <summary>Multiply-adds of one call (forward, backward-data and backward-filter each do this many).</summary>
    long MultiplyAdds { get; }
}

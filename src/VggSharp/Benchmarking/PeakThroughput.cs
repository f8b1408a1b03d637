namespace VggSharp.Benchmarking;

/// <summary>The machine's peak float32 FMA throughput, from <see cref="FmaPeak.Probe"/>.</summary>
/// <param name="VectorBits">The vector width the probe ran at (512 for AVX-512).</param>
/// <param name="SingleThreadGflops">One thread's peak, in GFLOP/s.</param>
/// <param name="Threads">How many threads ran together for <paramref name="AllThreadsGflops"/>.</param>
/// <param name="AllThreadsGflops">The peak of that many threads together, in GFLOP/s.</param>
public sealed record PeakThroughput(int VectorBits, double SingleThreadGflops, int Threads, double AllThreadsGflops);

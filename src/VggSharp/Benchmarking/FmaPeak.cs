using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using VggSharp.Kernels.Fast;

namespace VggSharp.Benchmarking;

/// <summary>
/// Measures the machine's peak float32 fused multiply-add throughput, the ceiling for convolution and GEMM: independent
/// FMA chains in registers, at the widest vector width the fast backend uses, on one thread and on several at once.
/// Enough chains are in flight to cover the FMA latency on every pipe (4 cycles x 2 pipes on current x86 cores), so
/// the figure is the issue rate, not the latency. Each measurement is the best of several short rounds after a
/// warm-up, since the peak is a limit and a busy machine can only lower it.
/// </summary>
public static class FmaPeak
{
    /// <summary>Independent accumulators per thread: 12 covers latency x pipes on current cores and fits AVX2's 16 registers.</summary>
    private const int Chains = 12;

    private const int Rounds = 5;

    /// <summary>The vector width, in bits, that the probe and the fast backend's GEMM use on this machine.</summary>
    public static int VectorBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    /// <summary>The single-thread peak and the peak of <paramref name="threads"/> threads together.</summary>
    /// <param name="threads">Threads for the all-core figure, at least 1 (usually the threads the kernels use).</param>
    /// <param name="round">How long one timed round lasts; five are run per figure after a warm-up of the same length.</param>
    public static PeakThroughput Probe(int threads, TimeSpan? round = null)
    {
        Kernels.Fast.FastBackend.CheckThreads(threads);
        var single = Measure(1, round);
        return new PeakThroughput(VectorBits, single, threads, threads == 1 ? single : Measure(threads, round));
    }

    /// <summary>The best throughput, in GFLOP/s (an FMA is 2 FLOPs), of <paramref name="threads"/> threads running FMA chains at once.</summary>
    public static double Measure(int threads, TimeSpan? round = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var length = round ?? TimeSpan.FromMilliseconds(40);
        if (length <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(round), "A round must last some time.");
        long iterations = Calibrate(length);
        double flopsPerRound = (double)iterations * FlopsPerIteration * threads;
        double best = 0;
        using var barrier = new Barrier(threads);
        var helpers = Enumerable.Range(1, threads - 1).Select(_ => new Thread(() => HelperRounds(barrier, iterations)) { IsBackground = true }).ToList();
        foreach (var helper in helpers) helper.Start();
        // The calling thread takes part and times each round between two barriers that every thread passes.
        Run(iterations); // warm-up: clocks up, every thread started
        for (int r = 0; r < Rounds; r++)
        {
            barrier.SignalAndWait();
            long start = Stopwatch.GetTimestamp();
            Run(iterations);
            barrier.SignalAndWait();
            best = Math.Max(best, flopsPerRound / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9);
        }
        foreach (var helper in helpers) helper.Join();
        return best;
    }

    private static int FlopsPerIteration => Chains * 2 * VectorBits / 32;

    private static void HelperRounds(Barrier barrier, long iterations)
    {
        Run(iterations);
        for (int r = 0; r < Rounds; r++)
        {
            barrier.SignalAndWait();
            Run(iterations);
            barrier.SignalAndWait();
        }
    }

    /// <summary>Iterations that take about <paramref name="length"/> on one thread.</summary>
    private static long Calibrate(TimeSpan length)
    {
        long iterations = 1 << 14;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            Run(iterations);
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed >= length / 8 || iterations >= 1L << 40)
                return Math.Max(1, (long)(iterations * length.Ticks / (double)Math.Max(1, elapsed.Ticks)));
            iterations *= 2;
        }
    }

    private static float Run(long iterations) => VectorBits switch
    {
        512 => Run<Vector512<float>, Width512>(iterations),
        256 => Run<Vector256<float>, Width256>(iterations),
        _ => Run<Vector128<float>, Width128>(iterations),
    };

    /// <summary>
    /// <see cref="Chains"/> independent chains c = c * m + a. With m just below 1 and a small, every value stays near
    /// its start (no overflow, no denormals, which would slow the pipes); the sum is returned so nothing is discarded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float Run<TVector, TWidth>(long iterations)
        where TVector : struct
        where TWidth : IVectorWidth<TVector>
    {
        TVector m = TWidth.Broadcast(0.9999999f), a = TWidth.Broadcast(1e-7f);
        TVector c0 = TWidth.Broadcast(1f), c1 = TWidth.Broadcast(2f), c2 = TWidth.Broadcast(3f), c3 = TWidth.Broadcast(4f);
        TVector c4 = TWidth.Broadcast(5f), c5 = TWidth.Broadcast(6f), c6 = TWidth.Broadcast(7f), c7 = TWidth.Broadcast(8f);
        TVector c8 = TWidth.Broadcast(9f), c9 = TWidth.Broadcast(10f), c10 = TWidth.Broadcast(11f), c11 = TWidth.Broadcast(12f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = TWidth.MultiplyAdd(c0, m, a); c1 = TWidth.MultiplyAdd(c1, m, a); c2 = TWidth.MultiplyAdd(c2, m, a);
            c3 = TWidth.MultiplyAdd(c3, m, a); c4 = TWidth.MultiplyAdd(c4, m, a); c5 = TWidth.MultiplyAdd(c5, m, a);
            c6 = TWidth.MultiplyAdd(c6, m, a); c7 = TWidth.MultiplyAdd(c7, m, a); c8 = TWidth.MultiplyAdd(c8, m, a);
            c9 = TWidth.MultiplyAdd(c9, m, a); c10 = TWidth.MultiplyAdd(c10, m, a); c11 = TWidth.MultiplyAdd(c11, m, a);
        }
        var sum = TWidth.Add(TWidth.Add(TWidth.Add(c0, c1), TWidth.Add(c2, c3)), TWidth.Add(TWidth.Add(c4, c5), TWidth.Add(c6, c7)));
        sum = TWidth.Add(sum, TWidth.Add(TWidth.Add(c8, c9), TWidth.Add(c10, c11)));
        float* lanes = stackalloc float[16];
        TWidth.Store(sum, lanes);
        return lanes[0];
    }
}

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Runs independent pieces of work on up to <see cref="Count"/> threads. Callers give every output element to
/// exactly one piece, so results never depend on how many threads ran.
/// </summary>
internal sealed class Workers
{
    private readonly ParallelOptions _options;

    public Workers(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "At least one thread is needed.");
        Count = count;
        _options = new ParallelOptions { MaxDegreeOfParallelism = count };
    }

    /// <summary>A single-threaded instance, for work already running inside a parallel piece.</summary>
    public static Workers Single { get; } = new(1);

    public int Count { get; }

    /// <summary>Calls <paramref name="body"/> once for each index in [0, <paramref name="pieces"/>).</summary>
    public void For(int pieces, Action<int> body)
    {
        if (Count == 1 || pieces <= 1)
        {
            for (int i = 0; i < pieces; i++) body(i);
            return;
        }
        Parallel.For(0, pieces, _options, body);
    }

    /// <summary>Splits [0, <paramref name="length"/>) into ranges of at least <paramref name="grain"/> elements and calls <paramref name="body"/>(start, length) for each.</summary>
    public void ForRanges(int length, int grain, Action<int, int> body)
    {
        int pieces = Math.Clamp(length / Math.Max(grain, 1), 1, Count);
        int size = (length + pieces - 1) / pieces;
        For(pieces, p =>
        {
            int start = p * size;
            body(start, Math.Min(size, length - start));
        });
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Runs independent pieces of work on up to <see cref="Count"/> threads. Callers give every output element to
/// exactly one piece, so results never depend on how many threads ran. Jobs are structs and the threads are a
/// persistent <see cref="WorkerTeam"/>, so a parallel call allocates nothing.
/// </summary>
internal sealed unsafe class Workers
{
    private WorkerTeam? _team;

    public Workers(int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "At least one thread is needed.");
        Count = count;
    }

    /// <summary>A single-threaded instance, for work already running inside a parallel piece.</summary>
    public static Workers Single { get; } = new(1);

    public int Count { get; }

    /// <summary>
    /// Calls <paramref name="job"/>.Run(i) once for each i in [0, <paramref name="pieces"/>) and returns when all are done;
    /// the first exception a piece throws is rethrown here. <paramref name="job"/> must be a local of the caller: the
    /// team reads it through its address. Calls from inside a piece, or while another thread holds the team, run inline.
    /// </summary>
    public void For<TJob>(int pieces, ref TJob job) where TJob : struct, IWorkPiece
    {
        if (Count > 1 && pieces > 1 && !WorkerTeam.IsInsidePiece)
        {
            _team ??= WorkerTeam.Shared(Count);
            if (_team.TryRun(pieces, Unsafe.AsPointer(ref job), &Dispatch<TJob>)) return;
        }
        RunInline(pieces, ref job);
    }

    /// <summary>Runs every piece on this thread; as on the team, a failing piece does not keep the others from running.</summary>
    private static void RunInline<TJob>(int pieces, ref TJob job) where TJob : struct, IWorkPiece
    {
        Exception? failure = null;
        for (int i = 0; i < pieces; i++)
        {
            try
            {
                job.Run(i);
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>Splits [0, <paramref name="length"/>) into ranges of at least <paramref name="grain"/> elements and runs <paramref name="job"/> on each.</summary>
    public void ForRanges<TJob>(int length, int grain, ref TJob job) where TJob : struct, IRangePiece
    {
        int pieces = Math.Clamp(length / Math.Max(grain, 1), 1, Count);
        var ranges = new Ranges<TJob>(job, length, (length + pieces - 1) / pieces);
        For(pieces, ref ranges);
    }

    private static void Dispatch<TJob>(void* job, int piece) where TJob : struct, IWorkPiece => Unsafe.AsRef<TJob>(job).Run(piece);

    /// <summary>Piece p of a range job: the p-th slice of <c>size</c> indices.</summary>
    private struct Ranges<TJob>(TJob job, int length, int size) : IWorkPiece where TJob : struct, IRangePiece
    {
        public void Run(int piece)
        {
            int start = piece * size;
            job.Run(start, Math.Min(size, length - start));
        }
    }
}

using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// Count - 1 background threads that, with the calling thread, claim the pieces of one job at a time. A job is an
/// address and a dispatcher, so running one allocates nothing. Idle threads spin briefly, because kernels come in
/// quick succession, then sleep so they do not burn a core between training steps.
/// </summary>
internal sealed unsafe class WorkerTeam
{
    /// <summary>How long an idle thread (or a caller waiting for the last piece) spins before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000;

    private static readonly Dictionary<int, WorkerTeam> s_teams = [];

    [ThreadStatic] private static bool t_insidePiece;

    private readonly int _helpers;
    private readonly object _sleep = new();
    private readonly ManualResetEventSlim _finished = new();

    /// <summary>1 while a caller owns the team; a second caller runs its job inline instead of waiting.</summary>
    private int _owned;

    /// <summary>The published job's number, or <see cref="Closed"/> while the job fields may change.</summary>
    private int _published = Closed;

    private int _generation;

    /// <summary>Helpers between checking in to a published job and leaving it.</summary>
    private int _inside;

    private int _sleepers;
    private void* _job;
    private delegate*<void*, int, void> _dispatch;
    private int _pieces;
    private int _nextPiece;
    private int _unfinished;
    private Exception? _failure;

    private const int Closed = -1;

    private WorkerTeam(int count)
    {
        _helpers = count - 1;
        for (int i = 0; i < _helpers; i++)
            new Thread(HelperLoop) { IsBackground = true, Name = $"VggSharp worker {i + 1}/{count}" }.Start();
    }

    /// <summary>True on a thread that is running a piece; a parallel call made there must run inline.</summary>
    public static bool IsInsidePiece => t_insidePiece;

    /// <summary>The team for <paramref name="count"/> threads, started on first use and shared by every caller.</summary>
    public static WorkerTeam Shared(int count)
    {
        lock (s_teams)
        {
            if (!s_teams.TryGetValue(count, out var team)) s_teams[count] = team = new WorkerTeam(count);
            return team;
        }
    }

    /// <summary>
    /// Runs dispatch(job, i) for i in [0, pieces) on the team and this thread, returning when all have finished, or
    /// returns false at once when another thread owns the team.
    /// </summary>
    public bool TryRun(int pieces, void* job, delegate*<void*, int, void> dispatch)
    {
        if (Interlocked.CompareExchange(ref _owned, 1, 0) != 0) return false;
        try
        {
            _job = job;
            _dispatch = dispatch;
            _pieces = pieces;
            _nextPiece = 0;
            _unfinished = pieces;
            _failure = null;
            _finished.Reset();
            _generation = _generation == int.MaxValue ? 0 : _generation + 1;
            Interlocked.Exchange(ref _published, _generation);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_sleep) Monitor.PulseAll(_sleep);
            t_insidePiece = true;
            RunPieces();
            t_insidePiece = false;
            WaitForPieces();
            Close();
            if (_failure is { } failure) ExceptionDispatchInfo.Throw(failure);
            return true;
        }
        finally
        {
            Volatile.Write(ref _owned, 0);
        }
    }

    /// <summary>Claims and runs pieces until none are left, then reports how many this thread finished.</summary>
    private void RunPieces()
    {
        int done = 0;
        for (int piece; (piece = Interlocked.Increment(ref _nextPiece) - 1) < _pieces; done++)
        {
            try
            {
                _dispatch(_job, piece);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
        }
        if (done > 0 && Interlocked.Add(ref _unfinished, -done) == 0) _finished.Set();
    }

    private void WaitForPieces()
    {
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        while (Volatile.Read(ref _unfinished) > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                _finished.Wait();
                return;
            }
            Thread.SpinWait(8);
        }
    }

    /// <summary>Unpublishes the job and waits for helpers still checked in to leave, so the next job may reuse the fields.</summary>
    private void Close()
    {
        Interlocked.Exchange(ref _published, Closed);
        var spinner = new SpinWait();
        while (Volatile.Read(ref _inside) > 0) spinner.SpinOnce(sleep1Threshold: -1);
    }

    private void HelperLoop()
    {
        t_insidePiece = true;
        int seen = Closed;
        while (true)
        {
            seen = WaitForJob(seen);
            // Check in, then make sure the job is still published: Close() cannot finish while we are inside.
            Interlocked.Increment(ref _inside);
            if (Volatile.Read(ref _published) == seen) RunPieces();
            Interlocked.Decrement(ref _inside);
        }
    }

    /// <summary>Waits until a job other than <paramref name="seen"/> is published and returns its number.</summary>
    private int WaitForJob(int seen)
    {
        long deadline = Stopwatch.GetTimestamp() + SpinTicks;
        while (true)
        {
            int published = Volatile.Read(ref _published);
            if (published != Closed && published != seen) return published;
            if (Stopwatch.GetTimestamp() > deadline) break;
            Thread.SpinWait(8);
        }
        lock (_sleep)
        {
            Interlocked.Increment(ref _sleepers);
            int published;
            while ((published = Volatile.Read(ref _published)) == Closed || published == seen) Monitor.Wait(_sleep);
            Interlocked.Decrement(ref _sleepers);
            return published;
        }
    }
}

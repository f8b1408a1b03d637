using VggSharp.Kernels.Fast;
using Xunit;

namespace VggSharp.Tests.Kernels;

/// <summary>The thread team runs every piece once, rethrows failures, and survives nested and concurrent calls.</summary>
public unsafe class WorkersTests
{
    /// <summary>Counts the runs of each piece; a failing piece throws after counting.</summary>
    private readonly struct CountRuns(int* runs, int failingPiece = -1) : IWorkPiece
    {
        public void Run(int piece)
        {
            Interlocked.Increment(ref runs[piece]);
            if (piece == failingPiece) throw new InvalidOperationException($"piece {piece}");
        }
    }

    /// <summary>Each piece runs a nested parallel call over its own row of counters.</summary>
    private readonly struct Nested(Workers workers, int* runs, int width) : IWorkPiece
    {
        public void Run(int piece)
        {
            var inner = new CountRuns(runs + piece * width);
            workers.For(width, ref inner);
        }
    }

    [Fact]
    public void EveryPieceRunsOnceOnEveryCall()
    {
        var workers = new Workers(4);
        var runs = new int[1000];
        fixed (int* r = runs)
            for (int call = 0; call < 200; call++)
            {
                var job = new CountRuns(r);
                workers.For(runs.Length, ref job);
            }
        Assert.All(runs, n => Assert.Equal(200, n));
    }

    [Fact]
    public void TheFirstFailureIsRethrownAfterAllPiecesRan()
    {
        var workers = new Workers(3);
        var runs = new int[64];
        fixed (int* r = runs)
        {
            var job = new CountRuns(r, failingPiece: 17);
            // No lambda: the job must stay a stack local, since the team reads it through its address.
            string? message = null;
            try { workers.For(runs.Length, ref job); }
            catch (InvalidOperationException e) { message = e.Message; }
            Assert.Equal("piece 17", message);
            var next = new CountRuns(r);
            workers.For(runs.Length, ref next);
        }
        Assert.All(runs, n => Assert.Equal(2, n));
    }

    [Fact]
    public void OnOneThreadAFailureAlsoLetsEveryPieceRun()
    {
        // One thread runs the pieces itself, as any team does when another thread holds the shared one: the same
        // contract must hold there (this test once failed now and then when parallel tests held the team).
        var runs = new int[64];
        fixed (int* r = runs)
        {
            var job = new CountRuns(r, failingPiece: 17);
            string? message = null;
            try { Workers.Single.For(runs.Length, ref job); }
            catch (InvalidOperationException e) { message = e.Message; }
            Assert.Equal("piece 17", message);
        }
        Assert.All(runs, n => Assert.Equal(1, n));
    }

    [Fact]
    public void NestedCallsRunInline()
    {
        var workers = new Workers(3);
        var runs = new int[8 * 16];
        fixed (int* r = runs)
        {
            var job = new Nested(workers, r, 16);
            workers.For(8, ref job);
        }
        Assert.All(runs, n => Assert.Equal(1, n));
    }

    [Fact]
    public void ConcurrentCallersDoNotMixTheirPieces()
    {
        var workers = new Workers(3);
        var first = new int[500];
        var second = new int[300];
        void Hammer(int[] runs)
        {
            fixed (int* r = runs)
                for (int call = 0; call < 300; call++)
                {
                    var job = new CountRuns(r);
                    workers.For(runs.Length, ref job);
                }
        }
        Parallel.Invoke(() => Hammer(first), () => Hammer(second));
        Assert.All(first, n => Assert.Equal(300, n));
        Assert.All(second, n => Assert.Equal(300, n));
    }
}

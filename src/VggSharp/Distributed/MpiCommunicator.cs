using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using VggSharp.Tensors;

namespace VggSharp.Distributed;

/// <summary>
/// An <see cref="ICommunicator"/> over Open MPI (libmpi.so.40, called through P/Invoke), for processes started by
/// <c>mpirun</c>. Blocking operations and gradient sums run on two duplicates of MPI_COMM_WORLD. Every wait is a loop
/// over MPI_Test with a deadline, so a rank that waits longer than the timeout for the others calls MPI_Abort with a
/// message instead of hanging; MPI errors are returned rather than fatal, and end the job the same way.
/// Call it from one thread at a time (MPI_THREAD_SERIALIZED).
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    /// <summary>The variable mpirun sets in every process it starts: the number of ranks.</summary>
    public const string SizeVariable = "OMPI_COMM_WORLD_SIZE";

    /// <summary>The variable mpirun sets in every process it starts: its rank among the job's processes on the same machine.</summary>
    public const string LocalRankVariable = "OMPI_COMM_WORLD_LOCAL_RANK";

    /// <summary>The largest broadcast, in bytes, sent as one MPI message (MPI counts are 32-bit).</summary>
    private const int BroadcastChunk = 1 << 30;

    private readonly MpiLibrary _mpi;
    private readonly TimeSpan _timeout;
    private readonly TextWriter _errors;
    private nint _control, _gradients;
    private long _ticks;
    private bool _disposed;

    private MpiCommunicator(MpiLibrary mpi, TimeSpan timeout, TextWriter errors)
    {
        (_mpi, _timeout, _errors) = (mpi, timeout, errors);
        int provided, rank, size;
        Check(mpi.InitThread(null, 0, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread");
        Check(mpi.CommSetErrorHandler(mpi.CommWorld, mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
        Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        nint control, gradients;
        Check(mpi.CommDup(mpi.CommWorld, &control), "MPI_Comm_dup");
        Check(mpi.CommDup(mpi.CommWorld, &gradients), "MPI_Comm_dup");
        (Rank, Size, _control, _gradients) = (rank, size, control, gradients);
        LocalRank = int.TryParse(Environment.GetEnvironmentVariable(LocalRankVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int local) ? local : rank;
        Description = $"rank {rank} of {size} on {Environment.MachineName}";
    }

    /// <summary>Whether this process was started by Open MPI's mpirun (it sets <see cref="SizeVariable"/>).</summary>
    public static bool IsMpiLaunch => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SizeVariable));

    /// <summary>
    /// Initialises MPI if this process was started by mpirun, and returns null otherwise, without loading libmpi.
    /// </summary>
    /// <param name="timeout">How long a rank waits for the others in one operation before it ends the job.</param>
    /// <param name="errors">Where a rank writes why it ends the job.</param>
    public static MpiCommunicator? FromEnvironment(TimeSpan timeout, TextWriter errors)
    {
        if (!IsMpiLaunch) return null;
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
        return new MpiCommunicator(MpiLibrary.Load(), timeout, errors);
    }

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>
    /// This process's rank among the job's processes on its machine (<see cref="LocalRankVariable"/>; the rank itself
    /// if mpirun did not say), which picks its GPU there.
    /// </summary>
    public int LocalRank { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public double CommunicationSeconds => (double)_ticks / Stopwatch.Frequency;

    /// <inheritdoc />
    public void Sum(Span<double> values, string operation)
    {
        nint request;
        long start = Stopwatch.GetTimestamp();
        fixed (double* data = values)
        {
            Collective(_mpi.Iallreduce(MpiLibrary.InPlace, data, values.Length, _mpi.Double, _mpi.OpSum, _control, &request), operation);
            WaitFor(&request, operation, start);
        }
    }

    /// <inheritdoc />
    public void Broadcast(Span<byte> data, int root, string operation)
    {
        if ((uint)root >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"Ranks are in [0, {Size}).");
        fixed (byte* start = data)
        {
            for (long offset = 0; offset < data.Length; offset += BroadcastChunk)
            {
                nint request;
                long begun = Stopwatch.GetTimestamp();
                int count = (int)Math.Min(BroadcastChunk, data.Length - offset);
                Collective(_mpi.Ibcast(start + offset, count, _mpi.Byte, root, _control, &request), operation);
                WaitFor(&request, operation, begun);
            }
        }
    }

    /// <inheritdoc />
    public IPendingSum StartSum(Tensor buffer, int offset, int count)
    {
        if (offset < 0 || count < 0 || offset > buffer.Length - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"[{offset}, {offset}+{count}) is outside a tensor of {buffer.Length} values.");
        long start = Stopwatch.GetTimestamp();
        var pending = new PendingSum(this);
        float* data = (float*)Unsafe.AsPointer(ref buffer.Reference) + offset;
        fixed (nint* request = &pending.Request)
            Collective(_mpi.Iallreduce(MpiLibrary.InPlace, data, count, _mpi.Float, _mpi.OpSum, _gradients, request), GradientSumOperation);
        _ticks += Stopwatch.GetTimestamp() - start;
        return pending;
    }

    /// <inheritdoc />
    [DoesNotReturn]
    public void Abort(string message)
    {
        _errors.WriteLine($"error: {Description}: {message}");
        _errors.Flush();
        _mpi.Abort(_mpi.CommWorld, 1);
        // MPI_Abort does not return; should an implementation ever do so, leave anyway.
        Environment.Exit(1);
        throw new UnreachableException();
    }

    /// <summary>Frees the communicators and finalises MPI; every rank must do so (a normal end of the job).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        fixed (nint* control = &_control) _mpi.CommFree(control);
        fixed (nint* gradients = &_gradients) _mpi.CommFree(gradients);
        _mpi.Finalize();
    }

    private const string GradientSumOperation = "the gradient sum";

    private void Collective(int code, string operation)
    {
        if (code != MpiLibrary.Success) Abort($"{operation} failed: {_mpi.Describe(code)}");
    }

    private void Check(int code, string call)
    {
        if (code != MpiLibrary.Success) throw new InvalidOperationException($"{call} failed: {_mpi.Describe(code)}");
    }

    /// <summary>Polls <paramref name="request"/> until it completes: spinning at first (sums take microseconds), then yielding, then sleeping.</summary>
    private void WaitFor(nint* request, string operation, long start)
    {
        for (int polls = 0; !Test(request, operation); polls++)
        {
            var waited = Stopwatch.GetElapsedTime(start);
            if (waited > _timeout)
                Abort(string.Create(CultureInfo.InvariantCulture,
                    $"waited {waited.TotalSeconds:0} s (the limit) for the other ranks in {operation}; a rank is hung, stopped or dead. Stopping the job; the last checkpoint is kept: continue with --resume."));
            if (polls < 1000) Thread.SpinWait(20);
            else if (waited < TimeSpan.FromMilliseconds(20)) Thread.Yield();
            else Thread.Sleep(1);
        }
        _ticks += Stopwatch.GetTimestamp() - start;
    }

    private bool Test(nint* request, string operation)
    {
        int done;
        Collective(_mpi.Test(request, &done, 0), operation);
        return done != 0;
    }

    /// <summary>One MPI_Test, counted as communication time: shared-memory transports copy data inside it.</summary>
    private bool Poll(nint* request, string operation)
    {
        long start = Stopwatch.GetTimestamp();
        bool done = Test(request, operation);
        _ticks += Stopwatch.GetTimestamp() - start;
        return done;
    }

    /// <summary>An MPI_Iallreduce in flight; its request handle lives in this object until MPI_Test completes it.</summary>
    private sealed class PendingSum(MpiCommunicator communicator) : IPendingSum
    {
        public nint Request;
        private bool _complete;

        public bool Poll()
        {
            if (_complete) return true;
            fixed (nint* request = &Request) return _complete = communicator.Poll(request, GradientSumOperation);
        }

        public void Wait()
        {
            if (_complete) return;
            fixed (nint* request = &Request) communicator.WaitFor(request, GradientSumOperation, Stopwatch.GetTimestamp());
            _complete = true;
        }
    }
}

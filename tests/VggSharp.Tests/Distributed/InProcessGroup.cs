using System.Diagnostics.CodeAnalysis;
using VggSharp.Distributed;
using VggSharp.Layers;
using VggSharp.Tensors;

namespace VggSharp.Tests.Distributed;

/// <summary>
/// Ranks as threads of the test process, for testing data-parallel code without mpirun: each rank's
/// <see cref="ICommunicator"/> deposits its part of an operation, and the last rank to arrive computes the result (in
/// rank order) for all. Operations are matched by their position in each channel's sequence, as MPI matches them; the
/// gradient channel is non-blocking like MPI_Iallreduce, so the same orderings deadlock here as with MPI.
/// </summary>
public sealed class InProcessGroup
{
    private readonly Channel _control, _gradients;

    public InProcessGroup(int size)
    {
        Size = size;
        (_control, _gradients) = (new Channel(size), new Channel(size));
        Members = [.. Enumerable.Range(0, size).Select(rank => new Member(this, rank))];
    }

    public int Size { get; }

    public IReadOnlyList<Member> Members { get; }

    /// <summary>Runs <paramref name="body"/> once per rank on its own thread and returns the results by rank; rethrows the first failure.</summary>
    public T[] Run<T>(Func<Member, T> body)
    {
        var results = new T[Size];
        var failures = new Exception?[Size];
        var threads = Members.Select(m => new Thread(() =>
        {
            try
            {
                results[m.Rank] = body(m);
            }
            catch (Exception e)
            {
                failures[m.Rank] = e;
            }
        }, 16 << 20)).ToList();
        threads.ForEach(t => t.Start());
        foreach (var t in threads)
            if (!t.Join(TimeSpan.FromMinutes(2))) throw new TimeoutException("A rank did not finish: the ranks' collective operations do not match.");
        if (failures.FirstOrDefault(f => f is not null) is { } failure) throw new AggregateException(failure);
        return results;
    }

    /// <summary>One rank's view of the group.</summary>
    public sealed class Member(InProcessGroup group, int rank) : ICommunicator, IStatisticsReduction
    {
        private long _controlSequence, _gradientSequence;

        public int Rank { get; } = rank;

        public int Size => group.Size;

        public string Description => $"rank {Rank} of {Size} (in-process)";

        public double CommunicationSeconds => 0;

        /// <summary>How many non-blocking sums this rank has started.</summary>
        public int SumsStarted { get; private set; }

        public void Sum(Span<double> values) => Sum(values, "test");

        public void Sum(Span<double> values, string operation)
        {
            var op = group._control.Join(_controlSequence++, Rank, values.ToArray(), (parts, _) => Add(parts));
            op.Wait();
            op.Result!.AsSpan().CopyTo(values);
        }

        public void Broadcast(Span<byte> data, int root, string operation)
        {
            var op = group._control.Join(_controlSequence++, Rank, data.ToArray(), (parts, _) => parts[root]);
            op.Wait();
            op.Result!.AsSpan().CopyTo(data);
        }

        public IPendingSum StartSum(Tensor buffer, int offset, int count)
        {
            SumsStarted++;
            return group._gradients.Join(_gradientSequence++, Rank, (buffer, offset, count), (parts, _) =>
            {
                var total = new float[count];
                foreach (var (t, o, _) in parts)
                {
                    var part = t.Span.Slice(o, count);
                    for (int i = 0; i < count; i++) total[i] += part[i];
                }
                foreach (var (t, o, _) in parts) total.CopyTo(t.Span.Slice(o, count));
                return total;
            });
        }

        [DoesNotReturn]
        public void Abort(string message) => throw new InvalidOperationException($"{Description} aborted: {message}");

        public void Dispose()
        {
        }

        private static double[] Add(double[][] parts)
        {
            var total = new double[parts[0].Length];
            foreach (var part in parts)
                for (int i = 0; i < total.Length; i++) total[i] += part[i];
            return total;
        }
    }

    /// <summary>One sequence of collective operations.</summary>
    private sealed class Channel(int size)
    {
        private readonly Dictionary<long, object> _operations = [];

        public Operation<TPart, TResult> Join<TPart, TResult>(long sequence, int rank, TPart part, Func<TPart[], int, TResult> complete)
        {
            lock (_operations)
            {
                if (!_operations.TryGetValue(sequence, out var existing)) _operations[sequence] = existing = new Operation<TPart, TResult>(size);
                var op = existing as Operation<TPart, TResult>
                    ?? throw new InvalidOperationException($"Rank {rank}'s operation {sequence} is not the kind the other ranks started.");
                if (op.Deposit(rank, part, complete)) _operations.Remove(sequence);
                return op;
            }
        }
    }

    private sealed class Operation<TPart, TResult>(int size) : IPendingSum
    {
        private readonly TPart[] _parts = new TPart[size];
        private int _arrived;

        public TResult? Result { get; private set; }

        public bool IsComplete { get; private set; }

        /// <summary>Adds a rank's part; the last one computes the result. Returns true when complete.</summary>
        public bool Deposit(int rank, TPart part, Func<TPart[], int, TResult> complete)
        {
            lock (this)
            {
                _parts[rank] = part;
                if (++_arrived < size) return false;
                Result = complete(_parts, rank);
                IsComplete = true;
                Monitor.PulseAll(this);
                return true;
            }
        }

        public bool Poll()
        {
            lock (this) return IsComplete;
        }

        public void Wait()
        {
            lock (this)
                while (!IsComplete)
                    if (!Monitor.Wait(this, TimeSpan.FromMinutes(1))) throw new TimeoutException("A collective operation never completed: the ranks' operations do not match.");
        }
    }
}

using System.Diagnostics.CodeAnalysis;
using VggSharp.Tensors;

namespace VggSharp.Distributed;

/// <summary>
/// The processes ("ranks") of a data-parallel job and the collective operations training needs. Collectives must be
/// called by every rank in the same order. The blocking operations (<see cref="Sum"/>, <see cref="Broadcast"/>) and the
/// non-blocking gradient sums (<see cref="StartSum"/>) travel on separate channels, so a blocking operation may run
/// while gradient sums are in flight. A rank that waits longer than the communicator's timeout for the others ends
/// the whole job with a message saying where it waited (<see cref="Abort"/>).
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's rank, from 0.</summary>
    int Rank { get; }

    /// <summary>The number of processes.</summary>
    int Size { get; }

    /// <summary>A description of this process for messages, e.g. "rank 1 of 4 on node2".</summary>
    string Description { get; }

    /// <summary>The seconds this process has spent in communication (starting, progressing and waiting for operations) since it started.</summary>
    double CommunicationSeconds { get; }

    /// <summary>Replaces each value with its sum over all ranks (every rank gets the same sums). <paramref name="operation"/> names it in timeout messages.</summary>
    void Sum(Span<double> values, string operation);

    /// <summary>Copies <paramref name="root"/>'s <paramref name="data"/> into every rank's (all ranks pass the same length).</summary>
    void Broadcast(Span<byte> data, int root, string operation);

    /// <summary>
    /// Starts replacing <paramref name="count"/> floats of <paramref name="buffer"/> from <paramref name="offset"/> with
    /// their sum over all ranks, and returns at once; the buffer must not be touched until the sum completes.
    /// </summary>
    IPendingSum StartSum(Tensor buffer, int offset, int count);

    /// <summary>Prints <paramref name="message"/> for this rank and ends every process of the job with a non-zero exit code.</summary>
    [DoesNotReturn]
    void Abort(string message);
}

namespace VggSharp.Data;

/// <summary>
/// The part of every batch that one process of a data-parallel job prepares. A batch is cut into consecutive pieces
/// of <see cref="PieceSize"/> samples, dealt to the ranks in turn: piece k goes to rank k mod <see cref="Ranks"/>. With
/// pieces of a batch's share (the batch size over the ranks, rounded up) each rank gets one consecutive slice; with
/// smaller pieces (micro-batches), the ranks' j-th pieces together are the batch's j-th slice of Ranks × PieceSize
/// samples, which is what one process with micro-batches of that size would compute at once.
/// </summary>
/// <param name="Rank">This process's rank, from 0.</param>
/// <param name="Ranks">The number of processes.</param>
/// <param name="PieceSize">The samples of a piece.</param>
public sealed record BatchShard(int Rank, int Ranks, int PieceSize)
{
    /// <summary>Whether the sample at <paramref name="position"/> in a batch (0-based, before bad images are left out) is this rank's.</summary>
    public bool Owns(int position) => position / PieceSize % Ranks == Rank;

    /// <summary>The most samples of a batch of <paramref name="batchSize"/> this rank gets.</summary>
    public int Capacity(int batchSize)
    {
        int round = PieceSize * Ranks, rest = batchSize % round;
        return batchSize / round * PieceSize + Math.Clamp(rest - Rank * PieceSize, 0, PieceSize);
    }

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (Ranks < 1) throw new ArgumentException($"A job has at least one rank, got {Ranks}.");
        if ((uint)Rank >= (uint)Ranks) throw new ArgumentException($"Rank {Rank} is outside [0, {Ranks}).");
        if (PieceSize < 1) throw new ArgumentException($"A piece holds at least one sample, got {PieceSize}.");
        if ((long)PieceSize * Ranks > int.MaxValue) throw new ArgumentException($"{Ranks} pieces of {PieceSize} samples are too many.");
    }
}

namespace VggSharp.Kernels.Fast;

/// <summary>
/// One parallel job, split into numbered pieces. A struct, so that handing it to <see cref="Workers"/> allocates nothing;
/// pieces run concurrently, so <see cref="Run"/> must only write what its piece owns.
/// </summary>
internal interface IWorkPiece
{
    /// <summary>Does piece number <paramref name="piece"/>.</summary>
    void Run(int piece);
}

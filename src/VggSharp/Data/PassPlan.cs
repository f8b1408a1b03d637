namespace VggSharp.Data;

/// <summary>
/// How a batch splits into forward/backward passes: pass j is the batch's j-th slice of
/// <see cref="DataLoaderOptions.PassSize"/> places, whatever images of it could be read and however the batch is dealt
/// out to the ranks of a job, so a pass is the same set of samples on any number of processes. Gives, for each pass,
/// how many of this process's samples in the batch belong to it (in the batch's order: the first
/// <see cref="SamplesIn"/>(0) samples are pass 0's, and so on).
/// </summary>
public sealed class PassPlan
{
    private readonly int[] _samples;

    internal PassPlan(int capacity) => _samples = new int[capacity];

    /// <summary>The passes of the batch, counting those this process has no samples in.</summary>
    public int Count { get; private set; }

    /// <summary>This process's samples in pass <paramref name="pass"/>.</summary>
    public int SamplesIn(int pass) => pass < Count ? _samples[pass] : throw new ArgumentOutOfRangeException(nameof(pass), pass, $"The batch has {Count} passes.");

    /// <summary>Writes each pass's sample count to <paramref name="destination"/> (as a job sums them across ranks).</summary>
    public void CopyTo(Span<double> destination)
    {
        for (int pass = 0; pass < Count; pass++) destination[pass] = _samples[pass];
    }

    internal void Reset(int passes)
    {
        Count = passes;
        Array.Clear(_samples, 0, passes);
    }

    internal void Add(int pass) => _samples[pass]++;
}

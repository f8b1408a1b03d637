namespace VggSharp.Bench;

/// <summary>A fully-connected layer on a batch: a [Batch, In] x [In, Out] matrix product.</summary>
public sealed record LinearShape(string Role, int Batch, int InFeatures, int OutFeatures) : IMultiplyAddCount
{
    /// <inheritdoc />
    public long MultiplyAdds => (long)Batch * InFeatures * OutFeatures;

    /// <inheritdoc />
    public override string ToString() => $"{Role} {Batch}x{InFeatures}-{OutFeatures}";
}

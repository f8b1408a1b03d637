namespace VggSharp.Data;

/// <summary>An unsigned-byte array read from an IDX file (the MNIST format): its dimensions and its row-major data.</summary>
public sealed class IdxArray
{
    internal IdxArray(int[] dimensions, byte[] data) => (Dimensions, Data) = (dimensions, data);

    /// <summary>The dimensions, outermost first (count, rows, columns for images; count for labels).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The values, row-major.</summary>
    public byte[] Data { get; }
}

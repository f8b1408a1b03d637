namespace VggSharp.Data;

/// <summary>Undoes PNG's five scanline filters (None, Sub, Up, Average, Paeth) in place.</summary>
internal static class PngFilter
{
    /// <summary>
    /// Reconstructs <paramref name="row"/> from its filtered bytes, given the reconstructed previous row of the same
    /// pass (all zeros for a pass's first row) and the filter stride; returns false for an unknown filter type.
    /// </summary>
    public static bool TryUnfilter(byte filterType, Span<byte> row, ReadOnlySpan<byte> prior, int stride)
    {
        switch (filterType)
        {
            case 0:
                return true;
            case 1:
                for (int i = stride; i < row.Length; i++) row[i] += row[i - stride];
                return true;
            case 2:
                for (int i = 0; i < row.Length; i++) row[i] += prior[i];
                return true;
            case 3:
                for (int i = 0; i < stride && i < row.Length; i++) row[i] += (byte)(prior[i] >> 1);
                for (int i = stride; i < row.Length; i++) row[i] += (byte)((row[i - stride] + prior[i]) >> 1);
                return true;
            case 4:
                for (int i = 0; i < stride && i < row.Length; i++) row[i] += prior[i]; // Paeth of (0, b, 0) is b
                for (int i = stride; i < row.Length; i++) row[i] += Paeth(row[i - stride], prior[i], prior[i - stride]);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The predictor of whichever of left, above and upper-left is closest to left + above - upper-left.</summary>
    private static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }
}

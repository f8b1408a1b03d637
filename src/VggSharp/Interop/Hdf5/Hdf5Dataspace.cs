namespace VggSharp.Interop.Hdf5;

/// <summary>A dataspace message's dimensions (empty for a scalar), versions 1 and 2; their product is checked to fit a long.</summary>
internal static class Hdf5Dataspace
{
    private const int MaxRank = 32;

    /// <summary>The dimensions of the dataspace message <paramref name="data"/>; a null dataspace has one dimension of 0.</summary>
    public static long[] Parse(Hdf5Input input, ReadOnlySpan<byte> data, string what)
    {
        if (data.Length < 4) throw new InvalidDataException($"the dataspace of {what} is truncated");
        int version = data[0], rank = data[1];
        if (version is not (1 or 2)) throw new InvalidDataException($"the dataspace of {what} has version {version}");
        if (rank > MaxRank) throw new InvalidDataException($"the dataspace of {what} has {rank} dimensions, more than {MaxRank}");
        if (version == 2 && data[3] == 2) return [0]; // a null dataspace: no elements
        int at = version == 1 ? 8 : 4;
        var dimensions = new long[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            ulong value = input.LengthField(data, ref at);
            if (value > long.MaxValue || (value > 0 && count > long.MaxValue / (long)value))
                throw new InvalidDataException($"the dataspace of {what} has more elements than a file can hold");
            dimensions[d] = (long)value;
            count *= (long)value;
        }
        return dimensions;
    }

    /// <summary>The number of elements of <paramref name="dimensions"/>.</summary>
    public static long Count(long[] dimensions) => dimensions.Aggregate(1L, (a, b) => a * b);
}

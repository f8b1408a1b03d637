using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VggSharp.Data;

/// <summary>
/// The CRC-32 of ISO 3309 / ITU-T V.42 (reflected polynomial 0xEDB88320) that PNG chunks, gzip trailers and zip
/// records carry. Sixteen bytes a step through sixteen tables ("slicing-by-16"), several times faster than a byte a
/// step, which matters for the hundreds of megabytes of a PyTorch zip archive.
/// </summary>
internal static class Crc32
{
    private const int Slices = 16;
    private static readonly uint[] Tables = BuildTables();

    /// <summary>The CRC of <paramref name="data"/>, or of what <paramref name="previous"/> covered followed by it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Compute(ReadOnlySpan<byte> data, uint previous = 0)
    {
        uint crc = previous ^ 0xFFFFFFFFu;
        ref uint t = ref MemoryMarshal.GetArrayDataReference(Tables);
        while (data.Length >= Slices)
        {
            uint a = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint b = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            uint c = BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
            uint d = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
            // Table k advances a byte through k more bytes of zeros; byte i of the block is followed by 15 - i bytes.
            crc = Lookup(ref t, 15, a) ^ Lookup(ref t, 14, a >> 8) ^ Lookup(ref t, 13, a >> 16) ^ Lookup(ref t, 12, a >> 24)
                ^ Lookup(ref t, 11, b) ^ Lookup(ref t, 10, b >> 8) ^ Lookup(ref t, 9, b >> 16) ^ Lookup(ref t, 8, b >> 24)
                ^ Lookup(ref t, 7, c) ^ Lookup(ref t, 6, c >> 8) ^ Lookup(ref t, 5, c >> 16) ^ Lookup(ref t, 4, c >> 24)
                ^ Lookup(ref t, 3, d) ^ Lookup(ref t, 2, d >> 8) ^ Lookup(ref t, 1, d >> 16) ^ Lookup(ref t, 0, d >> 24);
            data = data[Slices..];
        }
        foreach (byte x in data) crc = Lookup(ref t, 0, crc ^ x) ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Lookup(ref uint tables, int table, uint value) => Unsafe.Add(ref tables, (table << 8) | (int)(value & 0xFF));

    private static uint[] BuildTables()
    {
        var tables = new uint[Slices * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            tables[n] = c;
        }
        for (int table = 1; table < Slices; table++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint previous = tables[((table - 1) << 8) | n];
                tables[(table << 8) | n] = (previous >> 8) ^ tables[previous & 0xFF];
            }
        }
        return tables;
    }
}

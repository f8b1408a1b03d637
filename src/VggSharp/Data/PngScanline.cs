namespace VggSharp.Data;

/// <summary>
/// Copies one reconstructed PNG scanline into the 8-bit output image: gray samples below 8 bits are scaled to 0..255
/// (bit replication, v * 255 / (2^depth - 1)), 16-bit samples keep their high byte, alpha is dropped and palette
/// indices are expanded to RGB.
/// </summary>
internal static class PngScanline
{
    /// <summary>
    /// Writes the <paramref name="columns"/> pixels of <paramref name="row"/> (row <paramref name="rowInPass"/> of
    /// <paramref name="pass"/>) into <paramref name="output"/>; <paramref name="palette"/> holds RGB triples.
    /// </summary>
    public static void Write(PngHeader header, ReadOnlySpan<byte> row, int columns, Adam7 pass, int rowInPass,
        ReadOnlySpan<byte> palette, byte[] output, string source)
    {
        int channels = header.OutputChannels, depth = header.BitDepth;
        int y = pass.Y0 + rowInPass * pass.DY;
        long rowStart = (long)y * header.Width;
        if (depth < 8)
        {
            int mask = (1 << depth) - 1, scale = 255 / mask, perByte = 8 / depth;
            for (int i = 0; i < columns; i++)
            {
                int shift = 8 - depth * (i % perByte + 1);
                int value = (row[i / perByte] >> shift) & mask;
                long at = (rowStart + pass.X0 + (long)i * pass.DX) * channels;
                if (header.ColorType == PngColorType.Palette) CopyPaletteEntry(value, palette, output, at, source);
                else output[at] = (byte)(value * scale);
            }
            return;
        }

        int sampleBytes = depth / 8, pixelBytes = sampleBytes * header.SamplesPerPixel;
        for (int i = 0; i < columns; i++)
        {
            int from = i * pixelBytes; // the high byte comes first: PNG is big-endian
            long at = (rowStart + pass.X0 + (long)i * pass.DX) * channels;
            switch (header.ColorType)
            {
                case PngColorType.Palette:
                    CopyPaletteEntry(row[from], palette, output, at, source);
                    break;
                case PngColorType.Grayscale or PngColorType.GrayscaleAlpha:
                    output[at] = row[from];
                    break;
                default:
                    output[at] = row[from];
                    output[at + 1] = row[from + sampleBytes];
                    output[at + 2] = row[from + 2 * sampleBytes];
                    break;
            }
        }
    }

    private static void CopyPaletteEntry(int index, ReadOnlySpan<byte> palette, byte[] output, long at, string source)
    {
        if (3 * index + 3 > palette.Length)
            throw new ImageFormatException(source, $"PNG palette index {index} is beyond the {palette.Length / 3} palette entries");
        output[at] = palette[3 * index];
        output[at + 1] = palette[3 * index + 1];
        output[at + 2] = palette[3 * index + 2];
    }
}

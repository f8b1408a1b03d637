using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop;

/// <summary>
/// The CRC-32 that VggSharp's own safetensors files (models and checkpoints) carry in their metadata under
/// <see cref="Key"/>: over the tensor data in file order, then every other metadata entry (key and value, in ordinal
/// key order), so one flipped bit in the weights, the momentum or a stored setting is found when the file is read.
/// A CRC-32 (ISO-HDLC, zlib's and PNG's) finds every error of up to three bits and every burst up to 32 bits long; it is
/// computed with carry-less multiplication where the CPU has it (System.IO.Hashing), several GB/s. Files without the key (from
/// PyTorch, or older VggSharp ones) are read as before; <see cref="SafetensorsReader.Open(string)"/> verifies the rest.
/// </summary>
internal static class SafetensorsChecksum
{
    /// <summary>The metadata key; its value is eight lower-case hexadecimal digits.</summary>
    public const string Key = ModelMetadata.Prefix + "crc32";

    private const int ChunkBytes = 1 << 20;

    /// <summary>The value to store for <paramref name="data"/> (the tensors' bytes in file order) and <paramref name="metadata"/>.</summary>
    public static string Compute(IEnumerable<SafetensorsTensorData> data, IReadOnlyDictionary<string, string> metadata)
    {
        var crc = new Crc32();
        foreach (var tensor in data) crc.Append(tensor());
        return Format(OverMetadata(metadata, crc));
    }

    /// <summary>
    /// Checks the stored value, when there is one, against the file's data section (<paramref name="dataLength"/> bytes
    /// from <paramref name="dataStart"/>) and metadata; a mismatch or a malformed value is a <see cref="WeightsFormatException"/>.
    /// </summary>
    public static void Verify(SafeFileHandle file, long dataStart, long dataLength, IReadOnlyDictionary<string, string> metadata, string path)
    {
        if (!metadata.TryGetValue(Key, out string? stored)) return;
        if (stored.Length != 8 || !uint.TryParse(stored, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint expected))
            throw new WeightsFormatException(path, $"{Key} has the malformed value '{stored}' (the file is corrupt)");
        var buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(1, dataLength))];
        var crc = new Crc32();
        for (long done = 0; done < dataLength;)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, dataLength - done));
            SafetensorsReader.ReadExactly(file, chunk, dataStart + done, path, "the tensor data");
            crc.Append(chunk);
            done += chunk.Length;
        }
        uint actual = OverMetadata(metadata, crc);
        if (actual != expected)
            throw new WeightsFormatException(path,
                $"the file is corrupt: its checksum is {Format(actual)} but {Format(expected)} was stored when it was written (a changed bit in its weights or settings)");
    }

    /// <summary>Appends the metadata but the checksum itself to <paramref name="crc"/> (after the data) and gives the result.</summary>
    private static uint OverMetadata(IReadOnlyDictionary<string, string> metadata, Crc32 crc)
    {
        ReadOnlySpan<byte> separator = [0];
        foreach (var (key, value) in metadata.Where(e => e.Key != Key).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            crc.Append(Encoding.UTF8.GetBytes(key));
            crc.Append(separator);
            crc.Append(Encoding.UTF8.GetBytes(value));
            crc.Append(separator);
        }
        return crc.GetCurrentHashAsUInt32();
    }

    private static string Format(uint crc) => crc.ToString("x8", CultureInfo.InvariantCulture);
}

using System.Buffers.Binary;
using System.Text.Json;

namespace VggSharp.Interop;

/// <summary>
/// Writes safetensors files: an 8-byte little-endian header length, a JSON header padded with spaces to a multiple of
/// 8 bytes, then the tensors back to back. The layout is deterministic: wider element types first (so every tensor
/// stays aligned to its element size), otherwise in the order given. The file appears atomically (<see cref="AtomicFile"/>):
/// it is written to a temporary file in the same directory, flushed to disk and renamed over the target, so a crash
/// leaves either the old file or the complete new one. With a checksum (<see cref="SafetensorsChecksum"/>), the new file
/// is also read back and verified before it replaces the old one.
/// </summary>
public static class SafetensorsWriter
{
    private const int Alignment = 8;

    /// <summary>
    /// Writes <paramref name="tensors"/> and optional string <paramref name="metadata"/> to <paramref name="path"/>;
    /// with <paramref name="checksum"/>, adds the metadata entry <see cref="SafetensorsChecksum.Key"/> and replaces the old
    /// file only once the new one reads back whole.
    /// </summary>
    public static void Write(string path, IReadOnlyList<SafetensorsTensorSource> tensors, IReadOnlyDictionary<string, string>? metadata = null, bool checksum = false)
    {
        var layout = tensors.OrderByDescending(t => t.DataType.ElementSize()).ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in layout)
        {
            if (t.Name == SafetensorsHeader.MetadataKey) throw new ArgumentException($"{SafetensorsHeader.MetadataKey} is reserved for metadata.", nameof(tensors));
            if (!names.Add(t.Name)) throw new ArgumentException($"Two tensors are named {t.Name}.", nameof(tensors));
            if (t.Shape.Any(d => d < 0)) throw new ArgumentException($"Tensor {t.Name} has a negative dimension.", nameof(tensors));
            int supplied = t.Data().Length;
            if (supplied != t.ByteLength)
                throw new ArgumentException($"Tensor {t.Name} is {t.DataType.HeaderName()} {WeightsTensor.FormatShape(t.Shape)}, {t.ByteLength} bytes, but its data has {supplied}.", nameof(tensors));
        }

        if (checksum)
        {
            var all = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            if (all.ContainsKey(SafetensorsChecksum.Key)) throw new ArgumentException($"{SafetensorsChecksum.Key} is the checksum's own entry.", nameof(metadata));
            all[SafetensorsChecksum.Key] = SafetensorsChecksum.Compute(layout.Select(t => t.Data), all);
            metadata = all;
        }
        byte[] header = Header(layout, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var t in layout) stream.Write(t.Data());
        }, verify: checksum ? written => SafetensorsReader.Open(written, path).Dispose() : null);
    }

    private static byte[] Header(List<SafetensorsTensorSource> layout, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(e => e.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in layout)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.DataType.HeaderName());
                json.WriteStartArray("shape");
                foreach (long d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset += t.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Spaces are JSON whitespace; padding keeps the data, and so every tensor, 8-byte aligned in the file.
        while (buffer.Length % Alignment != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}

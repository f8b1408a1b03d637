using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.PyTorch;

/// <summary>
/// The records of a zip archive as PyTorch writes them (torch.save since 1.6): uncompressed entries, 64-byte aligned
/// data, a zip64 end record. Only the central directory and local headers are read; each record's data is then read
/// by offset straight into its destination. Every count, size and offset is checked against the file before it is
/// used: the central directory must lie before its end record, each local header must name its entry, and no two
/// records may overlap. Compressed, encrypted and multi-disk archives are refused.
/// </summary>
internal sealed class ZipDirectory
{
    private const uint EndSignature = 0x06054b50, Zip64EndSignature = 0x06064b50, Zip64LocatorSignature = 0x07064b50;
    private const uint CentralSignature = 0x02014b50, LocalSignature = 0x04034b50;
    private const int EndLength = 22, Zip64LocatorLength = 20, Zip64EndLength = 56, CentralLength = 46, LocalLength = 30;
    private const int MaxComment = 0xFFFF;

    /// <summary>The largest central directory read: far more than any state_dict's hundreds of entries need.</summary>
    private const long MaxDirectoryBytes = 64 << 20;

    private readonly Dictionary<string, ZipRecord> _records;

    private ZipDirectory(List<ZipRecord> records)
    {
        Records = records;
        _records = records.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>The records in central directory order.</summary>
    public IReadOnlyList<ZipRecord> Records { get; }

    /// <summary>The record named <paramref name="name"/>, or null.</summary>
    public ZipRecord? Find(string name) => _records.GetValueOrDefault(name);

    /// <summary>Reads and validates the directory of the archive open as <paramref name="file"/>.</summary>
    public static ZipDirectory Read(SafeFileHandle file, string path)
    {
        long length = RandomAccess.GetLength(file);
        WeightsFormatException Fail(string problem) => new(path, $"zip archive: {problem}");

        // The end record is the last thing in the file, followed only by its comment.
        int tailLength = (int)Math.Min(length, EndLength + MaxComment + Zip64LocatorLength);
        var tail = new byte[tailLength];
        ReadExactly(file, tail, length - tailLength, path);
        int end = -1;
        for (int i = tailLength - EndLength; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EndSignature
                && i + EndLength + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) == tailLength)
            {
                end = i;
                break;
            }
        }
        if (end < 0) throw Fail("no end-of-central-directory record (truncated?)");
        long endOffset = length - tailLength + end;
        var endRecord = tail.AsSpan(end, EndLength);
        if (BinaryPrimitives.ReadUInt16LittleEndian(endRecord[4..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(endRecord[6..]) != 0)
            throw Fail("multi-disk archives are not supported");
        long entries = BinaryPrimitives.ReadUInt16LittleEndian(endRecord[10..]);
        long directorySize = BinaryPrimitives.ReadUInt32LittleEndian(endRecord[12..]);
        long directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(endRecord[16..]);
        long directoryLimit = endOffset;

        if (end >= Zip64LocatorLength && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(end - Zip64LocatorLength)) == Zip64LocatorSignature)
        {
            var locator = tail.AsSpan(end - Zip64LocatorLength, Zip64LocatorLength);
            long zip64Offset = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(locator[8..]));
            long locatorOffset = endOffset - Zip64LocatorLength;
            if (zip64Offset > locatorOffset - Zip64EndLength) throw Fail($"the zip64 end record's offset {zip64Offset} is out of bounds");
            var zip64 = new byte[Zip64EndLength];
            ReadExactly(file, zip64, zip64Offset, path);
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndSignature) throw Fail($"no zip64 end record at offset {zip64Offset}");
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(16)) != 0 || BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(20)) != 0)
                throw Fail("multi-disk archives are not supported");
            entries = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32)));
            directorySize = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(40)));
            directoryOffset = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(48)));
            directoryLimit = zip64Offset;
        }

        if (directoryOffset > directoryLimit || directorySize > directoryLimit - directoryOffset)
            throw Fail($"the central directory [{directoryOffset}, +{directorySize}) runs past its end record at {directoryLimit}");
        if (directorySize > MaxDirectoryBytes) throw Fail($"the central directory has {directorySize} bytes, more than the {MaxDirectoryBytes}-byte limit");
        if (entries > directorySize / CentralLength) throw Fail($"{entries} entries cannot fit a central directory of {directorySize} bytes");

        var directory = new byte[directorySize];
        ReadExactly(file, directory, directoryOffset, path);
        var records = new List<ZipRecord>((int)entries);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var extents = new List<(long Begin, long End, string Name)>((int)entries);
        int position = 0;
        for (long n = 0; n < entries; n++)
        {
            if (directory.Length - position < CentralLength) throw Fail($"the central directory ends inside entry {n}");
            var header = directory.AsSpan(position);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != CentralSignature) throw Fail($"entry {n} of the central directory has a bad signature");
            int flags = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
            int method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
            int disk = BinaryPrimitives.ReadUInt16LittleEndian(header[34..]);
            long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
            int entryLength = CentralLength + nameLength + extraLength + commentLength;
            if (directory.Length - position < entryLength) throw Fail($"the central directory ends inside entry {n}");
            string name = Name(header.Slice(CentralLength, nameLength), n, Fail);
            var extra = header.Slice(CentralLength + nameLength, extraLength);
            position += entryLength;

            if (!names.Add(name)) throw Fail($"two entries are named {name}");
            if ((flags & 1) != 0) throw Fail($"{name} is encrypted");
            if (method != 0) throw Fail($"{name} is compressed (method {method}); PyTorch stores its records uncompressed");
            ReadZip64Extra(extra, ref size, ref compressed, ref localOffset, ref disk, name, Fail);
            if (disk != 0) throw Fail($"{name} is on disk {disk}; multi-disk archives are not supported");
            if (compressed != size) throw Fail($"{name} is stored but its compressed size {compressed} differs from its size {size}");

            // The local header repeats the name and may carry its own extra field (PyTorch's alignment padding).
            if (localOffset > directoryOffset - LocalLength - nameLength) throw Fail($"{name}'s local header at {localOffset} is out of bounds");
            var local = new byte[LocalLength + nameLength];
            ReadExactly(file, local, localOffset, path);
            if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalSignature) throw Fail($"{name} has no local header at offset {localOffset}");
            int localNameLength = BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(26));
            int localExtraLength = BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(28));
            if (localNameLength != nameLength || !local.AsSpan(LocalLength).SequenceEqual(header.Slice(CentralLength, nameLength)))
                throw Fail($"{name}'s local header names another file");
            long dataOffset = localOffset + LocalLength + localNameLength + localExtraLength;
            if (dataOffset > directoryOffset || size > directoryOffset - dataOffset)
                throw Fail($"{name}'s {size} bytes at offset {dataOffset} run into the central directory at {directoryOffset}");
            extents.Add((localOffset, dataOffset + size, name));
            records.Add(new ZipRecord(name, dataOffset, size, crc));
        }

        extents.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        for (int i = 1; i < extents.Count; i++)
        {
            if (extents[i].Begin < extents[i - 1].End) throw Fail($"{extents[i].Name} overlaps {extents[i - 1].Name}");
        }
        return new ZipDirectory(records);
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/>, or fails as a truncated file.</summary>
    public static void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset, string path)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(file, destination, offset);
            if (read == 0) throw new WeightsFormatException(path, $"truncated: the file ended at byte {offset}");
            destination = destination[read..];
            offset += read;
        }
    }

    private static string Name(ReadOnlySpan<byte> bytes, long entry, Func<string, WeightsFormatException> fail)
    {
        if (bytes.IsEmpty || !System.Text.Unicode.Utf8.IsValid(bytes)) throw fail($"entry {entry} has an empty or malformed name");
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Replaces the 32-bit fields that are 0xFFFFFFFF (0xFFFF for the disk) with the zip64 extra field's values, in the order the format lists them.</summary>
    private static void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long size, ref long compressed, ref long localOffset, ref int disk, string name,
        Func<string, WeightsFormatException> fail)
    {
        bool needSize = size == uint.MaxValue, needCompressed = compressed == uint.MaxValue, needOffset = localOffset == uint.MaxValue, needDisk = disk == ushort.MaxValue;
        if (!(needSize || needCompressed || needOffset || needDisk)) return;
        while (extra.Length >= 4)
        {
            int id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (length > extra.Length - 4) break;
            var field = extra.Slice(4, length);
            extra = extra[(4 + length)..];
            if (id != 1) continue;
            long Next(ref ReadOnlySpan<byte> f)
            {
                if (f.Length < 8) throw fail($"{name}'s zip64 extra field is too short");
                long value = Clamp(BinaryPrimitives.ReadUInt64LittleEndian(f));
                f = f[8..];
                return value;
            }
            if (needSize) size = Next(ref field);
            if (needCompressed) compressed = Next(ref field);
            if (needOffset) localOffset = Next(ref field);
            if (needDisk)
            {
                if (field.Length < 4) throw fail($"{name}'s zip64 extra field is too short");
                disk = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(field), int.MaxValue);
            }
            return;
        }
        throw fail($"{name} needs a zip64 extra field but has none");
    }

    /// <summary>Values past long.MaxValue are out of bounds for any file; clamping keeps the later checks simple.</summary>
    private static long Clamp(ulong value) => (long)Math.Min(value, long.MaxValue);
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Mat;

/// <summary>
/// The variables of a MATLAB MAT-file, version 5 (MATLAB's -v6 and default -v7 formats, little-endian; scipy.io.savemat
/// writes it): numeric, char, cell and struct arrays, each variable stored plainly or zlib-compressed. Numeric data is
/// located, not read; a compressed variable is inflated into memory (growing with the bytes it really inflates to,
/// the size its tag gives, which deflate limits to about a thousand times the compressed bytes). Nesting, the number of arrays and every count
/// are checked against the bytes there are before anything is allocated; a problem is an <see cref="InvalidDataException"/>.
/// </summary>
internal static class MatFile
{
    private const int HeaderBytes = 128, MaxDepth = 16, MaxArrays = 1 << 20, MaxDimensions = 32;
    private const int Matrix = 14, Compressed = 15, Utf8 = 16, Utf16 = 17, Utf32 = 18;
    private const int CellClass = 1, StructClass = 2, ObjectClass = 3, CharClass = 4, SparseClass = 5, FirstNumericClass = 6, LastNumericClass = 15;
    private const long MaxInflationRatio = 1100;

    /// <summary>Whether <paramref name="header"/> (a file's first bytes) looks like a MAT-file version 5's text header.</summary>
    public static bool Recognizes(ReadOnlySpan<byte> header) => header.StartsWith("MATLAB 5.0 MAT-file"u8);

    /// <summary>The variables of <paramref name="file"/> by name, in the file's order.</summary>
    public static Dictionary<string, MatValue> Read(SafeFileHandle file)
    {
        var bytes = MatBytes.Of(file);
        if (bytes.Length < HeaderBytes) throw new InvalidDataException("truncated: too short for a MAT-file's 128-byte header");
        var header = new byte[HeaderBytes];
        bytes.Read(0, header);
        if (!Recognizes(header)) throw new InvalidDataException("not a MAT-file version 5: its header does not begin \"MATLAB 5.0 MAT-file\" (a -v7.3 file is HDF5, and not read)");
        if (header[126] != 'I' || header[127] != 'M') throw new InvalidDataException("a big-endian MAT-file; only little-endian ones are read");
        var variables = new Dictionary<string, MatValue>(StringComparer.Ordinal);
        var budget = new int[] { MaxArrays };
        for (long position = HeaderBytes; position < bytes.Length;)
        {
            var (type, size, data, next) = Element(bytes, position, bytes.Length);
            position = next;
            var (source, start, length) = (bytes, data, size);
            if (type == Compressed)
            {
                source = Inflate(bytes, data, size);
                (type, length, start, _) = Element(source, 0, source.Length);
            }
            if (type != Matrix) throw new InvalidDataException($"a top-level data element of type {type}, not an array");
            var (name, value) = Array(source, start, length, 0, budget);
            variables[name] = value;
        }
        return variables;
    }

    /// <summary>The data element at <paramref name="position"/>: its type, size, where its data starts, and where the next element starts.</summary>
    private static (int Type, long Size, long Data, long Next) Element(MatBytes bytes, long position, long end)
    {
        if (end - position < 8) throw new InvalidDataException($"truncated: a data element's tag at {position} runs past its container");
        uint first = bytes.UInt32(position);
        if (first >> 16 != 0) // the small format: type and size in one word, up to four bytes of data in the next
        {
            long small = first >> 16;
            if (small > 4) throw new InvalidDataException($"a small data element at {position} claims {small} bytes");
            return ((int)(first & 0xFFFF), small, position + 4, position + 8);
        }
        long size = bytes.UInt32(position + 4);
        if (size > end - position - 8) throw new InvalidDataException($"truncated: a data element at {position} claims {size} bytes, more than its container has left");
        // Every element but a compressed one is padded to 8 bytes.
        long next = position + 8 + (first == Compressed ? size : (size + 7) & ~7L);
        return ((int)first, size, position + 8, Math.Min(next, end));
    }

    /// <summary>
    /// Inflates the compressed variable at <paramref name="position"/> into memory: its tag first, whose size (checked
    /// against what deflate can inflate <paramref name="size"/> bytes to) is then allocated once and filled.
    /// </summary>
    private static MatBytes Inflate(MatBytes bytes, long position, long size)
    {
        long limit = Math.Min(System.Array.MaxLength, size * MaxInflationRatio);
        try
        {
            using var zlib = new ZLibStream(bytes.Window(position, size), CompressionMode.Decompress);
            var tag = new byte[8];
            zlib.ReadExactly(tag);
            long total = 8L + BinaryPrimitives.ReadUInt32LittleEndian(tag.AsSpan(4));
            if (total > limit)
                throw new InvalidDataException($"a compressed variable claims {total} bytes, more than its {size} compressed bytes can hold");
            var buffer = new byte[total];
            tag.CopyTo(buffer, 0);
            zlib.ReadExactly(buffer, 8, (int)total - 8);
            return MatBytes.Of(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("truncated: a compressed variable ends early", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("a compressed variable claims", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"a compressed variable is corrupt: {e.Message}", e);
        }
    }

    /// <summary>The array whose miMATRIX data is the <paramref name="size"/> bytes at <paramref name="position"/>, and its name.</summary>
    private static (string Name, MatValue Value) Array(MatBytes bytes, long position, long size, int depth, int[] budget)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"arrays nested more than {MaxDepth} deep");
        if (--budget[0] < 0) throw new InvalidDataException($"more than {MaxArrays} arrays");
        long end = position + size;
        if (size == 0) return ("", new MatNumeric([0, 0], MatNumeric.Double, bytes, position)); // MATLAB's empty cell element
        var (_, flagsSize, flagsAt, next) = Element(bytes, position, end);
        if (flagsSize != 8) throw new InvalidDataException($"an array's flags at {position} have {flagsSize} bytes, not 8");
        uint flags = bytes.UInt32(flagsAt);
        int arrayClass = (int)(flags & 0xFF);
        bool complex = (flags & 0x800) != 0;

        var (_, dimensionsSize, dimensionsAt, afterDimensions) = Element(bytes, next, end);
        if (dimensionsSize % 4 != 0 || dimensionsSize / 4 is < 2 or > MaxDimensions)
            throw new InvalidDataException($"an array at {position} has {dimensionsSize / 4} dimensions");
        var dimensions = new long[dimensionsSize / 4];
        long count = 1;
        for (int d = 0; d < dimensions.Length; d++)
        {
            dimensions[d] = (int)bytes.UInt32(dimensionsAt + 4L * d);
            if (dimensions[d] < 0) throw new InvalidDataException($"an array at {position} has a negative dimension");
            count = dimensions[d] == 0 || count == 0 ? 0 : count > long.MaxValue / dimensions[d] ? throw new InvalidDataException($"an array at {position} has too many elements") : count * dimensions[d];
        }
        var (_, nameSize, nameAt, afterName) = Element(bytes, afterDimensions, end);
        var nameBytes = new byte[nameSize];
        bytes.Read(nameAt, nameBytes);
        string name = Encoding.UTF8.GetString(nameBytes);

        switch (arrayClass)
        {
            case >= FirstNumericClass and <= LastNumericClass:
                if (complex) throw new InvalidDataException($"array {name} is complex");
                var (type, dataSize, dataAt, _) = Element(bytes, afterName, end);
                int elementSize = MatNumeric.SizeOf(type);
                if (elementSize == 0 || dataSize != count * elementSize)
                    throw new InvalidDataException($"array {name} ({string.Join("x", dimensions)}) has {dataSize} bytes of data type {type}");
                return (name, new MatNumeric(dimensions, type, bytes, dataAt));
            case CharClass:
                return (name, Text(bytes, afterName, end, dimensions, count, name));
            case CellClass:
                if (count > (end - afterName) / 8) throw new InvalidDataException($"cell array {name} claims {count} elements, more than its bytes can hold");
                var elements = new List<MatValue>((int)count);
                for (long i = 0, at = afterName; i < count; i++)
                {
                    var (elementType, elementSizeBytes, elementAt, elementNext) = Element(bytes, at, end);
                    if (elementType != Matrix) throw new InvalidDataException($"an element of cell array {name} is not an array");
                    elements.Add(Array(bytes, elementAt, elementSizeBytes, depth + 1, budget).Value);
                    at = elementNext;
                }
                return (name, new MatCell(dimensions, elements));
            case StructClass:
                return (name, Struct(bytes, afterName, end, dimensions, count, name, depth, budget));
            case ObjectClass or SparseClass:
                throw new InvalidDataException($"array {name} is a MATLAB {(arrayClass == ObjectClass ? "object" : "sparse array")}, which weights files do not hold");
            default:
                throw new InvalidDataException($"array {name} has unknown class {arrayClass}");
        }
    }

    private static MatText Text(MatBytes bytes, long position, long end, long[] dimensions, long count, string name)
    {
        var (type, size, at, _) = Element(bytes, position, end);
        if (size > 1 << 24) throw new InvalidDataException($"char array {name} has {size} bytes, more than text in a weights file");
        var raw = new byte[size];
        bytes.Read(at, raw);
        string text = type switch
        {
            MatNumeric.UInt16 or Utf16 => Encoding.Unicode.GetString(raw),
            MatNumeric.UInt8 or MatNumeric.Int8 or Utf8 => Encoding.UTF8.GetString(raw),
            Utf32 => Encoding.UTF32.GetString(raw),
            _ => throw new InvalidDataException($"char array {name} has data type {type}"),
        };
        if (dimensions.Length != 2 || text.Length != count) throw new InvalidDataException($"char array {name} ({string.Join("x", dimensions)}) has {text.Length} characters");
        // Column-major: row r is characters r, r + rows, r + 2 rows, ...
        int rows = (int)dimensions[0], columns = (int)dimensions[1];
        var result = new List<string>(rows);
        var line = new StringBuilder(columns);
        for (int r = 0; r < rows; r++)
        {
            line.Clear();
            for (int c = 0; c < columns; c++) line.Append(text[r + rows * c]);
            result.Add(rows > 1 ? line.ToString().TrimEnd(' ', '\0') : line.ToString());
        }
        return new MatText(dimensions, result);
    }

    private static MatStruct Struct(MatBytes bytes, long position, long end, long[] dimensions, long count, string name, int depth, int[] budget)
    {
        var (_, lengthSize, lengthAt, afterLength) = Element(bytes, position, end);
        if (lengthSize != 4) throw new InvalidDataException($"struct {name}'s field name length has {lengthSize} bytes");
        long fieldLength = bytes.UInt32(lengthAt);
        var (_, namesSize, namesAt, at) = Element(bytes, afterLength, end);
        if (fieldLength is 0 or > 1024 || namesSize % fieldLength != 0) throw new InvalidDataException($"struct {name}'s field names are malformed");
        var raw = new byte[namesSize];
        bytes.Read(namesAt, raw);
        var fields = new string[namesSize / fieldLength];
        for (int f = 0; f < fields.Length; f++)
        {
            var field = raw.AsSpan((int)(f * fieldLength), (int)fieldLength);
            int nul = field.IndexOf((byte)0);
            fields[f] = Encoding.UTF8.GetString(nul < 0 ? field : field[..nul]);
        }
        if (count > budget[0] || (fields.Length > 0 && count > (end - at) / 8 / fields.Length))
            throw new InvalidDataException($"struct array {name} claims {count} elements of {fields.Length} fields, more than its bytes can hold");
        var elements = new List<IReadOnlyDictionary<string, MatValue>>((int)count);
        for (long i = 0; i < count; i++)
        {
            var element = new Dictionary<string, MatValue>(StringComparer.Ordinal);
            foreach (string field in fields)
            {
                var (type, size, data, next) = Element(bytes, at, end);
                if (type != Matrix) throw new InvalidDataException($"field {field} of struct {name} is not an array");
                element[field] = Array(bytes, data, size, depth + 1, budget).Value;
                at = next;
            }
            elements.Add(element);
        }
        return new MatStruct(dimensions, elements);
    }
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Numpy;

/// <summary>
/// An open NumPy .npy file of C-ordered little-endian float32 ('&lt;f4'), as np.save writes it: the header is
/// validated on opening (see <see cref="NpyHeader"/>), and elements are then read on demand, so a large array is read
/// a batch at a time. Every problem with the file is a <see cref="WeightsFormatException"/> naming it.
/// </summary>
public sealed class NpyReader : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly long _dataStart;

    private NpyReader(string path, SafeFileHandle file, long dataStart, long[] shape)
    {
        Path = path;
        _file = file;
        _dataStart = dataStart;
        Shape = shape;
        ElementCount = shape.Aggregate(1L, (count, d) => count * d);
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The array's shape; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The number of elements.</summary>
    public long ElementCount { get; }

    /// <summary>Opens <paramref name="path"/> and validates its header against the file's length.</summary>
    public static NpyReader Open(string path)
    {
        var file = RegularFile.OpenHandle(path);
        try
        {
            long length = RandomAccess.GetLength(file);
            var start = new byte[Math.Min(length, NpyHeader.PrefixLength(2))];
            Read(file, start, 0, path);
            int known = Math.Min(start.Length, NpyHeader.Magic.Length);
            if (!start.AsSpan(0, known).SequenceEqual(NpyHeader.Magic[..known]))
                throw new WeightsFormatException(path, "not a .npy file (it does not start with \\x93NUMPY)");
            if (start.Length < NpyHeader.PrefixLength(1)) throw new WeightsFormatException(path, "truncated: too short for a .npy file");
            int major = start[6];
            if (major is not (1 or 2 or 3) || start[7] != 0) throw new WeightsFormatException(path, $"npy format version {major}.{start[7]} is not 1.0, 2.0 or 3.0");
            int prefix = NpyHeader.PrefixLength(major);
            if (start.Length < prefix) throw new WeightsFormatException(path, "truncated: the file ends inside the .npy header");
            long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(start.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(start.AsSpan(8));
            if (headerLength > length - prefix) throw new WeightsFormatException(path, $"truncated: the header claims {headerLength} bytes but {length - prefix} remain");
            if (headerLength > NpyHeader.MaxHeaderBytes) throw new WeightsFormatException(path, $"the header's {headerLength} bytes exceed the {NpyHeader.MaxHeaderBytes}-byte limit");
            var header = new byte[headerLength];
            Read(file, header, prefix, path);
            string text;
            try
            {
                text = (major == 3 ? new UTF8Encoding(false, true) : Encoding.Latin1).GetString(header);
            }
            catch (DecoderFallbackException)
            {
                throw new WeightsFormatException(path, "npy header: not valid UTF-8");
            }
            long dataStart = prefix + headerLength;
            var shape = NpyHeader.ParseDictionary(text, length - dataStart, path);
            return new NpyReader(path, file, dataStart, shape);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads <paramref name="destination"/>.Length elements starting at element <paramref name="first"/> (in C order).</summary>
    public void Read(long first, Span<float> destination)
    {
        if (first < 0 || destination.Length > ElementCount - first)
            throw new ArgumentOutOfRangeException(nameof(first), $"Elements [{first}, {first + destination.Length}) are outside the array's {ElementCount}.");
        Read(_file, MemoryMarshal.AsBytes(destination), _dataStart + first * sizeof(float), Path);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private static void Read(SafeFileHandle file, Span<byte> destination, long offset, string path)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(file, destination, offset);
            if (read == 0) throw new WeightsFormatException(path, $"truncated: the file ended at byte {offset}");
            destination = destination[read..];
            offset += read;
        }
    }
}

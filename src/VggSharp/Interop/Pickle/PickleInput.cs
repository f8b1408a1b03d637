using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop.Pickle;

/// <summary>
/// The bytes pickles are read from: an array, or a region of a file read on demand into a buffer that grows only as
/// far as the pickles reach (PyTorch's legacy files put several pickles before hundreds of megabytes of tensor
/// data). Every read is checked against what is there and against a cap, so a length field cannot make it allocate
/// more than the file holds.
/// </summary>
internal sealed class PickleInput
{
    private const int FirstRead = 64 << 10;
    private readonly SafeFileHandle? _file;
    private readonly long _start;
    private readonly long _available;
    private readonly long _cap;
    private byte[] _buffer;
    private int _filled;

    private PickleInput(string path, SafeFileHandle? file, long start, long available, long cap, byte[] buffer, int filled)
    {
        Path = path;
        _file = file;
        _start = start;
        _available = available;
        _cap = cap;
        _buffer = buffer;
        _filled = filled;
    }

    /// <summary>The file, for error messages.</summary>
    public string Path { get; }

    /// <summary>Bytes consumed so far.</summary>
    public int Position { get; private set; }

    /// <summary>The file offset of <see cref="Position"/>, for error messages.</summary>
    public long FileOffset => _start + Position;

    /// <summary>Reads pickles from <paramref name="bytes"/> (a record already in memory), at most <paramref name="cap"/> of them.</summary>
    public static PickleInput FromBytes(byte[] bytes, string path, long fileOffset, int cap) =>
        new(path, null, fileOffset, bytes.Length, cap, bytes, bytes.Length);

    /// <summary>Reads pickles from <paramref name="file"/> starting at <paramref name="start"/>, reading at most <paramref name="cap"/> bytes.</summary>
    public static PickleInput FromFile(SafeFileHandle file, long start, string path, int cap) =>
        new(path, file, start, Math.Max(0, RandomAccess.GetLength(file) - start), cap, [], 0);

    /// <summary>The next byte.</summary>
    public byte TakeByte(string what) => Take(1, what)[0];

    /// <summary>The next <paramref name="count"/> bytes; <paramref name="what"/> names them in the error if they are not there.</summary>
    public ReadOnlySpan<byte> Take(long count, string what)
    {
        if (count < 0 || count > _available - Position)
            throw new WeightsFormatException(Path, $"truncated: the pickle needs {count} bytes for {what} at byte {FileOffset} but the file has {_available - Position} left");
        if (count > _cap - Position)
            throw new WeightsFormatException(Path, $"the pickle needs {count} bytes for {what} at byte {FileOffset}, past the {_cap}-byte limit on pickles");
        int end = Position + (int)count;
        if (end > _filled) Fill(end);
        var span = _buffer.AsSpan(Position, (int)count);
        Position = end;
        return span;
    }

    /// <summary>The bytes up to the next newline (not included), at most <paramref name="maxBytes"/> of them.</summary>
    public ReadOnlySpan<byte> TakeLine(int maxBytes, string what)
    {
        int start = Position;
        for (int length = 0; length <= maxBytes; length++)
        {
            if (TakeByte(what) == (byte)'\n') return _buffer.AsSpan(start, length);
        }
        throw new WeightsFormatException(Path, $"{what} at byte {_start + start} is longer than {maxBytes} bytes");
    }

    private void Fill(int end)
    {
        // Grow geometrically so that many small reads cost linear time, but never past what the file and cap allow.
        long size = Math.Min(Math.Min(_available, _cap), Math.Max(end, Math.Max(FirstRead, 2L * _buffer.Length)));
        var buffer = new byte[size];
        _buffer.AsSpan(0, _filled).CopyTo(buffer);
        _buffer = buffer;
        var target = buffer.AsSpan(_filled);
        long offset = _start + _filled;
        while (!target.IsEmpty)
        {
            int read = RandomAccess.Read(_file!, target, offset);
            if (read == 0) throw new WeightsFormatException(Path, $"truncated: the file ended at byte {offset} while reading a pickle");
            target = target[read..];
            offset += read;
        }
        _filled = buffer.Length;
    }
}

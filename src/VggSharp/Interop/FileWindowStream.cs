using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop;

/// <summary>
/// A read-only, forward-only view of <c>length</c> bytes of a file from <c>start</c>, read with positional reads so
/// that several views of one handle (a message and the messages nested in it) can be read at the same time. It ends
/// early, like a truncated file, if the file shrinks under it.
/// </summary>
internal sealed class FileWindowStream(SafeFileHandle file, long start, long length) : Stream
{
    private long _position;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <summary>Bytes read so far; cannot be set.</summary>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        int wanted = (int)Math.Min(buffer.Length, length - _position);
        if (wanted <= 0) return 0;
        int read = RandomAccess.Read(file, buffer[..wanted], start + _position);
        _position += read;
        return read;
    }

    /// <inheritdoc />
    public override void Flush() { }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

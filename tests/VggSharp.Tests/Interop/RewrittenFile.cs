namespace VggSharp.Tests.Interop;

/// <summary>
/// One file rewritten in place for each of many variants (fuzz tests): cheaper than creating a file each time, which
/// on some file systems costs milliseconds. Readers may open it meanwhile.
/// </summary>
public sealed class RewrittenFile(string path) : IDisposable
{
    private readonly FileStream _stream = new(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite);

    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>Makes <paramref name="bytes"/> the whole content of the file.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        _stream.SetLength(bytes.Length);
        _stream.Position = 0;
        _stream.Write(bytes);
        _stream.Flush();
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}

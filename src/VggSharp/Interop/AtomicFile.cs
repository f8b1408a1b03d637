namespace VggSharp.Interop;

/// <summary>
/// Replaces a file atomically: the content goes to a temporary file in the same directory, is flushed to disk, and is
/// renamed over the target (an atomic rename on Linux, a replace on Windows), so readers and crashes see either the
/// old file or the complete new one. A killed process can leave its temporary file behind; it matches
/// <see cref="TemporaryFilePattern"/>.
/// </summary>
internal static class AtomicFile
{
    private const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Writes <paramref name="path"/> with what <paramref name="write"/> puts in the stream, and, when given, lets
    /// <paramref name="verify"/> read the complete temporary file (its path) before it replaces the old one; if either
    /// throws, the old file stays and the temporary one is removed.
    /// </summary>
    public static void Write(string path, Action<Stream> write, Action<string>? verify = null)
    {
        string target = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}{TemporarySuffix}");
        FileStream created;
        try
        {
            created = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        }
        catch (Exception e) when (FileErrors.IsFileError(e))
        {
            throw FileErrors.CannotWrite(path, e);
        }
        try
        {
            using (var stream = created)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            verify?.Invoke(temporary);
            Replace(temporary, target, path);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void Replace(string temporary, string target, string path)
    {
        if (Directory.Exists(target)) throw new IOException($"Cannot write {path}: it is a folder.");
        try
        {
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (FileErrors.IsFileError(e))
        {
            throw FileErrors.CannotWrite(path, e);
        }
    }

    /// <summary>The pattern (for <see cref="Directory.EnumerateFiles(string, string)"/>) of the temporary files that writes to <paramref name="fileName"/> use.</summary>
    public static string TemporaryFilePattern(string fileName) => $".{fileName}.*{TemporarySuffix}";
}

namespace VggSharp.Interop;

/// <summary>
/// .NET's exceptions for failed file operations, in our own words: its messages quote full paths, sometimes of
/// temporary files the user never named, and read differently on every platform.
/// </summary>
internal static class FileErrors
{
    /// <summary>Whether <paramref name="e"/> is a failed file operation this class words.</summary>
    public static bool IsFileError(Exception e) => e is (IOException or UnauthorizedAccessException) and not UnreadableFileException;

    /// <summary>Why the operation failed, without the path: "permission denied", "its folder does not exist"...</summary>
    public static string Reason(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "its folder does not exist, or a part of the path is not a folder",
        UnauthorizedAccessException => "permission denied",
        PathTooLongException => "the path is too long",
        _ => e.Message,
    };

    /// <summary>"Cannot write <paramref name="path"/>: reason", an <see cref="IOException"/> wrapping <paramref name="e"/>.</summary>
    public static IOException CannotWrite(string path, Exception e) => new($"Cannot write {path}: {Reason(e)}.", e);

    /// <summary>Creates <paramref name="directory"/> and its parents, or says in one line why it cannot be.</summary>
    public static void CreateDirectory(string directory)
    {
        if (File.Exists(directory)) throw new IOException($"Cannot create the folder {directory}: a file of that name exists.");
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (IsFileError(e))
        {
            string reason = e is FileNotFoundException or DirectoryNotFoundException ? "a part of its path is not a folder that can hold it" : Reason(e);
            throw new IOException($"Cannot create the folder {directory}: {reason}.", e);
        }
    }
}

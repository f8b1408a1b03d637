namespace VggSharp.Interop;

/// <summary>
/// A file a user named cannot be opened for reading (<see cref="RegularFile"/>): it is missing, a directory, not a
/// regular file, or not readable. The message is "path: problem", as the format errors' are.
/// </summary>
public sealed class UnreadableFileException : IOException
{
    /// <summary>Creates the error for <paramref name="path"/>.</summary>
    public UnreadableFileException(string path, string problem, Exception? innerException = null) : base($"{path}: {problem}", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file as the user named it.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the path ("is a directory").</summary>
    public string Problem { get; }
}

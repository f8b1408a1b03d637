using VggSharp.Interop;
namespace VggSharp.Training;

/// <summary>
/// The exclusive claim of one training run on its run directory, held while the run writes there: an OS lock on the
/// file <see cref="FileName"/> (flock on Linux, a sharing lock on Windows), which the operating system releases when
/// the process ends however it ends, so a killed run leaves no stale lock to clear by hand. A second run on the same
/// directory, in this process or another, is refused instead of interleaving its metrics and checkpoints with the first's.
/// </summary>
public sealed class RunDirectoryLock : IDisposable
{
    /// <summary>The lock file's name in the run directory; it stays there, empty, after the run.</summary>
    public const string FileName = ".vggsharp.lock";

    private readonly FileStream _file;

    private RunDirectoryLock(FileStream file) => _file = file;

    /// <summary>
    /// Takes the lock of <paramref name="runDirectory"/> (created if needed), or throws <see cref="InvalidOperationException"/>
    /// when another run holds it.
    /// </summary>
    public static RunDirectoryLock Acquire(string runDirectory)
    {
        FileErrors.CreateDirectory(runDirectory);
        string path = Path.Combine(runDirectory, FileName);
        try
        {
            return new RunDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1));
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new InvalidOperationException($"{runDirectory} is in use by another training run; wait for it to end, or choose another --out.", e);
        }
        catch (Exception e) when (FileErrors.IsFileError(e))
        {
            throw FileErrors.CannotWrite(path, e);
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file.Dispose();
}

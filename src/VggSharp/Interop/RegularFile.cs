using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace VggSharp.Interop;

/// <summary>
/// Opens the files a user names (weights, checkpoints, data sets, images, label lists) for reading, and only if they
/// are regular files: opening a named pipe blocks until something writes to it, and a device such as /dev/zero never
/// ends, so both are refused before they are opened, as are directories. Failures to open are
/// <see cref="UnreadableFileException"/>s, one line in our own words that names the path. Every reader of a user's
/// file opens it here.
/// </summary>
public static partial class RegularFile
{
    /// <summary>Checks that <paramref name="path"/> names a regular file (following symbolic links), without opening it.</summary>
    public static void Check(string path)
    {
        if (Directory.Exists(path)) throw new UnreadableFileException(path, "is a directory");
        // The file's type needs stat(2); Linux's statx has the same layout on every architecture.
        if (!OperatingSystem.IsLinux() || TypeOf(path) is not { } type) return; // opening reports a missing file
        if (type == DirectoryType) throw new UnreadableFileException(path, "is a directory");
        if (type != RegularType) throw new UnreadableFileException(path, $"not a regular file (a {TypeName(type)})");
    }

    /// <summary>Opens a regular file for reading, shared with other readers.</summary>
    public static SafeFileHandle OpenHandle(string path)
    {
        Check(path);
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (Translate(path, e) is { } ours)
        {
            throw ours;
        }
    }

    /// <summary>Opens a regular file as a read-only stream.</summary>
    public static FileStream OpenRead(string path, int bufferSize = 4096)
    {
        Check(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
        }
        catch (Exception e) when (Translate(path, e) is { } ours)
        {
            throw ours;
        }
    }

    /// <summary>A regular file's whole content.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        using var stream = OpenRead(path, bufferSize: 1);
        try
        {
            long length = stream.Length;
            if (length > Array.MaxLength) throw new UnreadableFileException(path, $"{length} bytes, too large to read at once");
            var content = new byte[length];
            stream.ReadExactly(content);
            return content;
        }
        catch (EndOfStreamException)
        {
            throw new UnreadableFileException(path, "became shorter while it was being read");
        }
    }

    /// <summary>A regular file's lines, read as UTF-8 as they are enumerated.</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(OpenRead(path), System.Text.Encoding.UTF8);
        while (reader.ReadLine() is { } line) yield return line;
    }

    /// <summary>The type bits of the file's mode, or null when stat fails (a missing file) or is not there to call.</summary>
    private static int? TypeOf(string path)
    {
        try
        {
            return Statx(AtFdCwd, path, 0, StatxType, out var status) == 0 ? status.Mode & FileTypeMask : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>.NET's messages for the usual failures to open, in our words; null for anything else.</summary>
    private static Exception? Translate(string path, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => new UnreadableFileException(path, "no such file", e),
        _ when FileErrors.IsFileError(e) => new UnreadableFileException(path, FileErrors.Reason(e), e),
        _ => null,
    };

    private static string TypeName(int type) => type switch
    {
        FifoType => "named pipe",
        CharacterDeviceType => "character device",
        BlockDeviceType => "block device",
        SocketType => "socket",
        _ => "special file",
    };

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int FileTypeMask = 0xF000, FifoType = 0x1000, CharacterDeviceType = 0x2000, DirectoryType = 0x4000, BlockDeviceType = 0x6000,
        RegularType = 0x8000, SocketType = 0xC000;

    /// <summary>struct statx's first fields; the kernel's structure is 256 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxResult
    {
        [FieldOffset(28)] public ushort Mode;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, out StatxResult result);
}

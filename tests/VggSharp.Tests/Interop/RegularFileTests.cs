using System.Diagnostics;
using VggSharp.Data;
using VggSharp.Interop;
using VggSharp.Interop.Numpy;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>
/// Every reader of a user's file opens it through <see cref="RegularFile"/>: a named pipe would block the reader
/// forever and /dev/zero would never end, so both are refused before opening, as are directories.
/// </summary>
public class RegularFileTests
{
    /// <summary>Each reader, given a path.</summary>
    public static TheoryData<string> Readers => ["weights", "safetensors", "npy", "idx", "image", "labels"];

    private static void Read(string reader, string path)
    {
        switch (reader)
        {
            case "weights": WeightsFile.Open(path).Dispose(); break;
            case "safetensors": SafetensorsReader.Open(path).Dispose(); break;
            case "npy": NpyReader.Open(path).Dispose(); break;
            case "idx": IdxReader.Read(path); break;
            case "image": ImageDecoder.DecodeFile(path); break;
            case "labels": _ = RegularFile.ReadLines(path).ToList(); break;
            default: throw new ArgumentOutOfRangeException(nameof(reader));
        }
    }

    /// <summary>The reader's error, within seconds (before, a pipe blocked it for ever).</summary>
    private static Exception ErrorOf(string reader, string path)
    {
        var attempt = Task.Run(() => Record.Exception(() => Read(reader, path)));
        Assert.True(attempt.Wait(TimeSpan.FromSeconds(20)), $"{reader} still blocks on {path}");
        return Assert.IsAssignableFrom<Exception>(attempt.Result);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void ANamedPipeIsRefusedWithoutBlocking(string reader)
    {
        if (!OperatingSystem.IsLinux()) return;
        using var directory = new TemporaryDirectory();
        string pipe = directory.File("weights.safetensors");
        using (var mkfifo = Process.Start("mkfifo", [pipe])) mkfifo.WaitForExit();

        Assert.EndsWith(": not a regular file (a named pipe)", ErrorOf(reader, pipe).Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void ADeviceIsRefused(string reader)
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal("/dev/zero: not a regular file (a character device)", ErrorOf(reader, "/dev/zero").Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void ADirectoryAndAMissingFileAreSaidSo(string reader)
    {
        using var directory = new TemporaryDirectory();
        Assert.Equal($"{directory.Path}: is a directory", ErrorOf(reader, directory.Path).Message);
        string missing = directory.File("missing.bin");
        Assert.Equal($"{missing}: no such file", ErrorOf(reader, missing).Message);
    }
}

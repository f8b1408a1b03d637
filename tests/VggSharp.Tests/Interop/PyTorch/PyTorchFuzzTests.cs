using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using VggSharp.Interop;
using VggSharp.Interop.PyTorch;
using Xunit;

namespace VggSharp.Tests.Interop.PyTorch;

/// <summary>
/// Every damaged variant of a small torch.save file (a few KB, both formats) loads or gives a
/// <see cref="WeightsFormatException"/>: truncated at every length, and bytes flipped. Nothing else may escape,
/// nothing may hang, and no load may allocate much more than the file's size. The damage is done in place in one
/// open file, since creating a file per variant costs more than loading it.
/// </summary>
public class PyTorchFuzzTests
{
    public static TheoryData<string> Files => new() { "tiny_bn.pth", "tiny_bn_legacy.pth" };

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryTruncationIsRefused(string file)
    {
        byte[] valid = File.ReadAllBytes(PyTorchFixtures.File(file));
        using var directory = new TemporaryDirectory();
        string path = directory.File(file);
        Assert.InRange(valid.Length, 2_000, 20_000);
        File.WriteAllBytes(path, valid);
        WeightsFile.Load(path).Dispose();
        using var damaged = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);

        for (int length = valid.Length - 1; length >= 0; length--)
        {
            damaged.SetLength(length);
            var e = Record.Exception(() => Bounded(path, valid.Length));
            Assert.True(e is WeightsFormatException, $"length {length}: {e?.GetType().Name ?? "loaded"} {e?.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FlippedBytesLoadOrAreRefused(string file)
    {
        byte[] valid = File.ReadAllBytes(PyTorchFixtures.File(file));
        using var directory = new TemporaryDirectory();
        string path = directory.File(file);
        File.WriteAllBytes(path, valid);
        var checksummed = ChecksummedBytes(path);
        using var damaged = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        var random = new Random(20240611);
        int loaded = 0, refused = 0;

        // Every byte of the first kilobyte, where the layout and the pickles begin, then a random sample of the rest.
        foreach (int position in Enumerable.Range(0, 1024).Concat(Enumerable.Range(0, 1000).Select(_ => random.Next(valid.Length))).Where(p => p < valid.Length))
        {
            RandomAccess.Write(damaged.SafeFileHandle, [(byte)(valid[position] ^ (1 + random.Next(255)))], position);
            try
            {
                Bounded(path, valid.Length);
                loaded++;
                Assert.False(checksummed[position], $"byte {position} is covered by a CRC-32 but its change went unnoticed");
            }
            catch (WeightsFormatException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"byte {position}: {e.GetType().Name}: {e.Message}");
            }
            RandomAccess.Write(damaged.SafeFileHandle, valid.AsSpan(position, 1), position);
        }
        Assert.True(loaded > 0 && refused > 0, $"{loaded} loaded, {refused} refused");
    }

    /// <summary>Loads the file, checking that the load allocated no more than a small multiple of the file's size.</summary>
    private static void Bounded(string path, long fileLength)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            WeightsFile.Load(path).Dispose();
        }
        finally
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 1_000_000 + 16 * fileLength, $"{allocated} bytes allocated for a {fileLength}-byte file");
        }
    }

    /// <summary>Which bytes of a zip file lie in a record's data, which its CRC-32 covers (none for the legacy format).</summary>
    private static bool[] ChecksummedBytes(string path)
    {
        var covered = new bool[new FileInfo(path).Length];
        using SafeFileHandle file = File.OpenHandle(path);
        if (!PyTorchFile.Recognizes(File.ReadAllBytes(path).AsSpan(0, 4)) || File.ReadAllBytes(path)[0] != (byte)'P') return covered;
        foreach (var record in ZipDirectory.Read(file, path).Records.Where(r => r.Name.EndsWith(".pkl", StringComparison.Ordinal) || r.Name.Contains("/data/")))
            covered.AsSpan((int)record.DataOffset, (int)record.Length).Fill(true);
        return covered;
    }
}

using System.Buffers.Binary;
using VggSharp.Interop;
using VggSharp.Interop.Keras;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop.Zoo;

/// <summary>
/// Damaged and hostile Keras HDF5 files: every one loads or gives a <see cref="WeightsFormatException"/>, never another
/// exception, a hang or an allocation out of proportion to the file.
/// </summary>
public class KerasFuzzTests
{
    private static byte[] Valid => File.ReadAllBytes(ZooFixtures.File("keras_tiny.h5"));

    /// <summary>Load, or the reason the file was refused; anything but <see cref="WeightsFormatException"/> fails the test, as does a large allocation.</summary>
    private static (VggModel? Model, WeightsFormatException? Error) TryLoad(string path, string what)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            return (WeightsFile.Load(path), null);
        }
        catch (WeightsFormatException e)
        {
            return (null, e);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
            throw;
        }
        finally
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < (1 << 20) + 16L * new FileInfo(path).Length, $"{what}: {allocated} bytes allocated");
        }
    }

    [Fact]
    public void TheTinyFileLoads()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("tiny.h5");
        File.WriteAllBytes(path, Valid);
        var (model, error) = TryLoad(path, "the valid file");
        Assert.Null(error);
        using (model) Assert.Equal("4,M,8,M", model!.Options.Configuration);
    }

    [Fact]
    public void EveryTruncationIsRefused()
    {
        using var directory = new TemporaryDirectory();
        var valid = Valid;
        using var file = new RewrittenFile(directory.File("truncated.h5"));
        for (int length = 0; length < valid.Length; length++)
        {
            file.Write(valid.AsSpan(0, length));
            var (model, error) = TryLoad(file.Path, $"length {length}");
            model?.Dispose();
            Assert.True(error is not null, $"length {length} loaded");
        }
    }

    [Fact]
    public void ChangedBytesLoadOrAreRefused()
    {
        using var directory = new TemporaryDirectory();
        var valid = Valid;
        using var file = new RewrittenFile(directory.File("changed.h5"));
        var random = new Random(5);
        int loaded = 0, refused = 0;
        for (int trial = 0; trial < 500; trial++)
        {
            byte[] bytes = (byte[])valid.Clone();
            for (int c = 1 + random.Next(3); c > 0; c--) bytes[random.Next(bytes.Length)] ^= (byte)(1 + random.Next(255));
            file.Write(bytes);
            var (model, _) = TryLoad(file.Path, $"trial {trial}");
            model?.Dispose();
            if (model is null) refused++;
            else loaded++;
        }
        Assert.True(loaded > 0 && refused > 0, $"{loaded} loaded, {refused} refused");
    }

    /// <summary>Hostile lengths and counts written over the tiny file's structures, found by their signatures; each with a phrase of its error.</summary>
    public static TheoryData<string, string> Hostile => new()
    {
        { "TREE entries", "truncated" },
        { "HEAP size", "local heap" },
        { "SNOD symbols", "truncated" },
        { "header messages", "messages, more than" },
        { "header size", "truncated" },
        { "superblock offsets", "4 or 8 are read" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileLengthsAreRefusedWithoutLargeAllocations(string change, string phrase)
    {
        using var directory = new TemporaryDirectory();
        var bytes = Valid;
        int At(string signature) => bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(signature));
        // The root group's object header: the superblock's last address (version 0: 24 bytes, four addresses, then the root entry's name offset).
        int root = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(24 + 5 * 8));
        switch (change)
        {
            case "TREE entries": BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(At("TREE") + 6), ushort.MaxValue); break;
            case "HEAP size": BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(At("HEAP") + 8), 1UL << 62); break;
            case "SNOD symbols": BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(At("SNOD") + 6), ushort.MaxValue); break;
            case "header messages": BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(root + 2), ushort.MaxValue); break;
            case "header size": BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(root + 8), uint.MaxValue); break;
            default: bytes[13] = 16; break;
        }
        string path = directory.File("hostile.h5");
        File.WriteAllBytes(path, bytes);

        var (model, error) = TryLoad(path, change);
        model?.Dispose();
        Assert.NotNull(error);
        Assert.Contains(phrase, error.Message);
        Assert.Contains("hostile.h5", error.Message);
    }

    [Fact]
    public void AFileThatIsNotKerassIsRefused()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("other.h5");
        File.WriteAllBytes(path, [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1A, (byte)'\n', 3, .. new byte[40]]);
        var e = Assert.Throws<WeightsFormatException>(() => KerasWeightsReader.Open(path));
        Assert.Contains("superblock version 3", e.Message);
    }
}

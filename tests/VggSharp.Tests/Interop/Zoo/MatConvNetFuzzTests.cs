using System.Buffers.Binary;
using VggSharp.Interop;
using VggSharp.Interop.MatConvNet;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop.Zoo;

/// <summary>
/// Damaged and hostile MAT-files: every one loads or gives a <see cref="WeightsFormatException"/>, never another
/// exception, a hang or an allocation out of proportion to the file.
/// </summary>
public class MatConvNetFuzzTests
{
    private static byte[] Valid => File.ReadAllBytes(ZooFixtures.File("matconvnet_tiny.mat"));

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
    public void EveryTruncationIsRefusedOrLosesNoWeights()
    {
        using var directory = new TemporaryDirectory();
        var valid = Valid;
        using var file = new RewrittenFile(directory.File("truncated.mat"));
        file.Write(valid);
        var (whole, _) = TryLoad(file.Path, "the whole file");
        Dictionary<string, byte[]> weights;
        using (whole)
        {
            Assert.Equal("4,M,8,M", whole!.Options.Configuration);
            weights = SmallModels.Snapshot(whole);
        }
        int loaded = 0;
        for (int length = 0; length < valid.Length; length++)
        {
            file.Write(valid.AsSpan(0, length));
            var (model, _) = TryLoad(file.Path, $"length {length}");
            if (model is null) continue;
            // A cut between variables is a valid shorter file: without meta, it has all the weights.
            using (model) SmallModels.AssertSame(weights, SmallModels.Snapshot(model));
            loaded++;
        }
        Assert.True(loaded <= 1, $"{loaded} truncations loaded");
    }

    [Fact]
    public void ChangedBytesLoadOrAreRefused()
    {
        using var directory = new TemporaryDirectory();
        var valid = Valid;
        using var file = new RewrittenFile(directory.File("changed.mat"));
        var random = new Random(7);
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

    /// <summary>A MAT-file of one variable: the 128-byte header, then <paramref name="element"/>.</summary>
    private static byte[] File1(params byte[][] element)
    {
        var header = new byte[128];
        "MATLAB 5.0 MAT-file, hostile"u8.CopyTo(header);
        header[124] = 0; header[125] = 1; header[126] = (byte)'I'; header[127] = (byte)'M';
        return [.. header, .. element.SelectMany(e => e)];
    }

    private static byte[] Tag(uint type, uint size)
    {
        var tag = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(tag, type);
        BinaryPrimitives.WriteUInt32LittleEndian(tag.AsSpan(4), size);
        return tag;
    }

    private static byte[] Matrix(uint arrayClass, int[] dimensions, params byte[][] rest)
    {
        byte[] flags = [.. Tag(6, 8), (byte)arrayClass, 0, 0, 0, 0, 0, 0, 0];
        byte[] dims = [.. Tag(5, (uint)(4 * dimensions.Length)), .. dimensions.SelectMany(BitConverter.GetBytes), .. new byte[dimensions.Length % 2 * 4]];
        byte[] name = [1, 0, 1, 0, (byte)'x', 0, 0, 0]; // small element: miINT8, 1 byte
        byte[] body = [.. flags, .. dims, .. name, .. rest.SelectMany(r => r)];
        return [.. Tag(14, (uint)body.Length), .. body];
    }

    /// <summary>Hostile MAT-files by name, each with a phrase of the error it must give.</summary>
    public static TheoryData<string, string> Hostile => new()
    {
        { "element size", "claims 4294967295 bytes" },
        { "cell count", "claims 4611686014132420609 elements" },
        { "struct count", "claims" },
        { "numeric count", "has 8 bytes of data type 7" },
        { "nesting", "nested more than" },
        { "compressed bomb", "an array's flags at 56 have 0 bytes" },
        { "compressed claim", "a compressed variable claims 4294967303 bytes" },
        { "not a model", "without MatConvNet's layers" },
    };

    private static byte[] HostileFile(string name) => name switch
    {
        "element size" => File1(Tag(14, uint.MaxValue)),
        "cell count" => File1(Matrix(1, [int.MaxValue, int.MaxValue])),
        "struct count" => File1(Matrix(2, [int.MaxValue, 1], [4, 0, 5, 0, 8, 0, 0, 0], [.. Tag(1, 8), .. "a\0\0\0\0\0\0\0"u8.ToArray()])),
        "numeric count" => File1(Matrix(7, [1 << 20, 1 << 20], [.. Tag(7, 8), .. new byte[8]])),
        "nesting" => File1(Nested(40)),
        "compressed bomb" => File1(Compressed(Bomb())),
        "compressed claim" => File1(Compressed(Tag(14, uint.MaxValue))),
        _ => File1(Matrix(6, [1, 1], [.. Tag(9, 8), .. new byte[8]])),
    };

    private static byte[] Nested(int depth) => depth == 0 ? Matrix(6, [0, 0], Tag(9, 0)) : Matrix(1, [1, 1], Nested(depth - 1));

    private static byte[] Bomb()
    {
        // 64 MB of zeros in a cell array: deflate's ratio (about 1000:1) bounds what inflating it allocates.
        byte[] zeros = new byte[64 << 20];
        return Matrix(1, [1, 1], [.. Tag(14, (uint)zeros.Length), .. zeros]);
    }

    private static byte[] Compressed(byte[] element)
    {
        using var buffer = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(buffer, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true)) zlib.Write(element);
        return [.. Tag(15, (uint)buffer.Length), .. buffer.ToArray()];
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileFilesAreRefusedWithoutLargeAllocations(string name, string phrase)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("hostile.mat");
        File.WriteAllBytes(path, HostileFile(name));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<WeightsFormatException>(() => MatConvNetReader.Open(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(e.Message.Contains(phrase, StringComparison.Ordinal), e.Message);
        Assert.Contains("hostile.mat", e.Message);
        // A compressed variable may inflate to about a thousand times its size, no more.
        Assert.True(allocated < (1 << 20) + 1200L * new FileInfo(path).Length, $"{allocated} bytes allocated for a file of {new FileInfo(path).Length}");
    }
}

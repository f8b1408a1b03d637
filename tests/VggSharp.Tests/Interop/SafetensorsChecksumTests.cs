using VggSharp.Interop;
using VggSharp.Layers;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>VggSharp's files carry a CRC-32 over tensors and metadata; a changed bit is found on reading, and NaN weights are refused.</summary>
public class SafetensorsChecksumTests
{
    private static void FlipBit(string path, long offset, int bit)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= (byte)(1 << bit);
        File.WriteAllBytes(path, bytes);
    }

    private static long DataStart(string path) => 8 + BitConverter.ToInt64(File.ReadAllBytes(path).AsSpan(0, 8));

    [Fact]
    public void AFlippedBitInAModelsWeightsIsRefused()
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 1);
        string path = directory.File("model.safetensors");
        VggModelFile.Save(model, path);
        using (VggModelFile.Load(path)) { }

        // The sign bit of a weight: the file is still well formed, only wrong.
        FlipBit(path, DataStart(path) + 4 * 10 + 3, 7);

        var e = Assert.Throws<WeightsFormatException>(() => VggModelFile.Load(path));
        Assert.Contains("corrupt", e.Problem);
        Assert.Throws<WeightsFormatException>(() => WeightsFile.Open(path).Dispose());
    }

    [Fact]
    public void AFileWithoutAChecksumStillLoads()
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 2);
        string path = directory.File("model.safetensors");
        VggModelFile.Save(model, path);
        RewriteWithout(path, SafetensorsChecksum.Key);

        using var loaded = VggModelFile.Load(path);
        SmallModels.AssertSame(SmallModels.Snapshot(model), SmallModels.Snapshot(loaded));
    }

    [Fact]
    public void AFailedVerificationKeepsTheOldFile()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("state.bin");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.Throws<WeightsFormatException>(() => AtomicFile.Write(path, stream => stream.Write([4, 5, 6]),
            verify: written => throw new WeightsFormatException(path, "the copy read back differs")));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Single(Directory.EnumerateFileSystemEntries(directory.Path));
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "infinity")]
    [InlineData(float.NegativeInfinity, "-infinity")]
    public void NonFiniteWeightsAreRefusedAtLoad(float value, string named)
    {
        using var directory = new TemporaryDirectory();
        using var model = SmallModels.Create(SmallModels.Tiny, 3);
        var entry = model.State().First(e => e.Key == "features.1.running_var");
        BitConverter.TryWriteBytes(entry.Bytes[8..], value);
        string path = directory.File("model.safetensors");
        // Saved with a valid checksum: the file is what was written, its numbers are what is wrong.
        VggModelFile.Save(model, path);

        var e = Assert.Throws<WeightsFormatException>(() => VggModelFile.Load(path));
        Assert.Equal($"features.1.running_var holds {named} at element 2; weights must be finite numbers", e.Problem);
        using var target = SmallModels.Create(SmallModels.Tiny, 4);
        var before = SmallModels.Snapshot(target);
        Assert.Throws<WeightsFormatException>(() => WeightsFile.LoadInto(target, path));
        SmallModels.AssertSame(before, SmallModels.Snapshot(target));
    }

    /// <summary>Rewrites a safetensors file with the same tensors and without one metadata entry.</summary>
    private static void RewriteWithout(string path, string key)
    {
        List<SafetensorsTensorSource> tensors;
        Dictionary<string, string> metadata;
        using (var reader = SafetensorsReader.Open(path))
        {
            metadata = reader.Header.Metadata.Where(e => e.Key != key).ToDictionary();
            tensors = reader.Header.Tensors.Select(t =>
            {
                var bytes = new byte[t.ByteLength];
                reader.ReadTensor(t, bytes);
                return new SafetensorsTensorSource(t.Name, t.DataType, t.Shape, () => bytes);
            }).ToList();
        }
        SafetensorsWriter.Write(path, tensors, metadata);
    }
}

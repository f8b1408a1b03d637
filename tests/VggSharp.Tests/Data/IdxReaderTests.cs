using System.Buffers.Binary;
using System.IO.Compression;
using VggSharp.Data;
using VggSharp.Tests.Interop;
using Xunit;

namespace VggSharp.Tests.Data;

/// <summary>IDX files: Debian's Fashion-MNIST, and crafted files that are wrong in every way the header can be.</summary>
public class IdxReaderTests
{
    [Fact]
    public void ReadsTheFashionMnistTestSet()
    {
        IdxDataset test = FashionMnist.Load(FashionMnist.DebianDirectory, train: false);
        Assert.Equal(10000, test.Count);
        Assert.Equal((28, 28), (test.Width, test.Height));
        Assert.Equal(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], test.ClassNames);
        var histogram = new int[10];
        for (int i = 0; i < test.Count; i++) histogram[test.LabelOf(i)]++;
        Assert.All(histogram, n => Assert.Equal(1000, n));

        DecodedImage first = test.Load(0);
        Assert.Equal((28, 28, 1), (first.Width, first.Height, first.Channels));
        Assert.Equal(9, test.LabelOf(0)); // the test set opens with an ankle boot
        Assert.Contains(first.Pixels, p => p > 200);
        Assert.EndsWith("t10k-images-idx3-ubyte.gz image 9999", test.Describe(9999));
    }

    [Fact]
    public void ReadsRawAndGzipFilesAlike()
    {
        using var directory = new TemporaryDirectory();
        byte[] images = Idx(3, [2, 3, 4], Enumerable.Range(0, 24).Select(i => (byte)i).ToArray());
        File.WriteAllBytes(directory.File("images"), images);
        File.WriteAllBytes(directory.File("images.gz"), Gzip(images));
        foreach (string name in new[] { "images", "images.gz" })
        {
            IdxArray array = IdxReader.Read(directory.File(name));
            Assert.Equal([2, 3, 4], array.Dimensions);
            Assert.Equal(Enumerable.Range(0, 24).Select(i => (byte)i), array.Data);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x03, 0, 0, 0, 1 }, "ends inside its dimensions")]
    [InlineData(new byte[] { 0x1F, 0x00, 0x08, 0x01, 0, 0, 0, 1, 5 }, "not an IDX file")]
    [InlineData(new byte[] { 0x00, 0x00, 0x0D, 0x01, 0, 0, 0, 1, 0, 0, 0, 0 }, "type code 0x0D")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x00 }, "rank 0")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x09, 0, 0, 0, 1 }, "rank 9")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x01, 0, 0, 0, 0 }, "dimension 0 is 0")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x01, 0xFF, 0xFF, 0xFF, 0xFF }, "dimension 0 is 4294967295")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x03, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF }, "exceed")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x01, 0, 0, 0, 2, 1 }, "need 10")]
    [InlineData(new byte[] { 0x00, 0x00, 0x08, 0x01, 0, 0, 0, 2, 1, 2, 3 }, "need 10")]
    [InlineData(new byte[] { 0x00, 0x00 }, "shorter than")]
    public void RefusesBadHeadersRawAndCompressed(byte[] file, string reason)
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllBytes(directory.File("bad"), file);
        var e = Assert.Throws<ImageFormatException>(() => IdxReader.Read(directory.File("bad")));
        Assert.Contains(reason, e.Message);
        Assert.StartsWith(directory.File("bad") + ": ", e.Message);

        File.WriteAllBytes(directory.File("bad.gz"), Gzip(file));
        Assert.Throws<ImageFormatException>(() => IdxReader.Read(directory.File("bad.gz")));
    }

    [Fact]
    public void HugeDimensionsInASmallGzipFileDoNotAllocateThem()
    {
        using var directory = new TemporaryDirectory();
        // 1000 x 1000 x 1000 bytes claimed (1 GB, under the cap), 10 bytes present.
        File.WriteAllBytes(directory.File("huge.gz"), Gzip(Idx(3, [1000, 1000, 1000], new byte[10])));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageFormatException>(() => IdxReader.Read(directory.File("huge.gz")));
        Assert.Contains("ends after 10 of 1000000000 bytes", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20);
    }

    [Fact]
    public void EveryTruncationIsRefused()
    {
        using var directory = new TemporaryDirectory();
        byte[] raw = Idx(3, [3, 2, 5], Enumerable.Range(1, 30).Select(i => (byte)i).ToArray());
        byte[] gzip = Gzip(raw);
        string path = directory.File("cut");
        foreach (byte[] valid in new[] { raw, gzip })
        {
            for (int length = 0; length < valid.Length; length++)
            {
                File.WriteAllBytes(path, valid.AsSpan(0, length).ToArray());
                var e = Record.Exception(() => IdxReader.Read(path));
                Assert.True(e is ImageFormatException, $"{length} of {valid.Length}: {e?.GetType().Name ?? "read"} {e?.Message}");
            }
        }
    }

    [Fact]
    public void DatasetChecksCountsRanksAndLabels()
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllBytes(directory.File("images"), Idx(3, [3, 2, 2], new byte[12]));
        File.WriteAllBytes(directory.File("labels"), Idx(1, [3], [0, 2, 1]));
        File.WriteAllBytes(directory.File("two-labels"), Idx(1, [2], [0, 1]));
        File.WriteAllBytes(directory.File("big-label"), Idx(1, [3], [0, 1, 10]));

        var dataset = new IdxDataset(directory.File("images"), directory.File("labels"));
        Assert.Equal(["0", "1", "2"], dataset.ClassNames);
        Assert.Equal(2, dataset.LabelOf(1));

        var e = Assert.Throws<ImageFormatException>(() => new IdxDataset(directory.File("images"), directory.File("two-labels")));
        Assert.Contains("declares 3 items but 2 are expected (one per label)", e.Message);
        e = Assert.Throws<ImageFormatException>(() => new IdxDataset(directory.File("images"), directory.File("big-label"), FashionMnist.ClassNames));
        Assert.Contains("label 10 is not below the 10 classes", e.Message);
        e = Assert.Throws<ImageFormatException>(() => new IdxDataset(directory.File("labels"), directory.File("labels")));
        Assert.Contains("1 dimensions, expected 3", e.Message);
    }

    [Fact]
    public void AnImagesFileIsCheckedAgainstItsLabelsBeforeItIsInflated()
    {
        using var directory = new TemporaryDirectory();
        // 4 MiB of images that a few kilobytes of gzip inflate to, for a labels file of three.
        File.WriteAllBytes(directory.File("images.gz"), Gzip(Idx(3, [4096, 32, 32], new byte[4096 * 32 * 32])));
        File.WriteAllBytes(directory.File("labels"), Idx(1, [3], [0, 2, 1]));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageFormatException>(() => new IdxDataset(directory.File("images.gz"), directory.File("labels")));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal($"{directory.File("images.gz")}: IDX file declares 4096 items but 3 are expected (one per label)", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated");
    }

    private static byte[] Idx(int rank, int[] dimensions, byte[] data)
    {
        var file = new byte[4 + 4 * rank + data.Length];
        file[2] = 0x08;
        file[3] = (byte)rank;
        for (int i = 0; i < rank; i++) BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4 + 4 * i), dimensions[i]);
        data.CopyTo(file, 4 + 4 * rank);
        return file;
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }
}

using VggSharp.Data;
using VggSharp.Tests.Interop;
using Xunit;

namespace VggSharp.Tests.Data;

/// <summary>ImageNet-style folders: classes from subfolders, ordinal sorting, flat validation folders with labels files.</summary>
public class ImageFolderDatasetTests
{
    private static readonly byte[] Png = ImageFixtures.Bytes("real/palette_color.png");
    private static readonly byte[] Jpeg = ImageFixtures.Bytes("jpeg/camera_gray.jpg");

    [Fact]
    public void ClassesAreSubfoldersAndEverythingIsSortedOrdinally()
    {
        using var root = new TemporaryDirectory();
        Write(root, "b/2.png", Png);
        Write(root, "b/10.JPG", Jpeg);
        Write(root, "b/notes.txt", [1]);
        Write(root, "b/.hidden.png", Png);
        Write(root, "B/x.jpeg", Jpeg);
        Write(root, "a/z.png", Png);
        Write(root, ".cache/y.png", Png);
        Write(root, "loose.png", Png);

        var dataset = new ImageFolderDataset(root.Path);
        Assert.Equal(["B", "a", "b"], dataset.ClassNames);
        Assert.Equal(["B/x.jpeg", "a/z.png", "b/10.JPG", "b/2.png"], Enumerable.Range(0, dataset.Count).Select(i => Relative(root, dataset.Describe(i))));
        Assert.Equal([0, 1, 2, 2], Enumerable.Range(0, dataset.Count).Select(dataset.LabelOf));
        Assert.Equal(1, dataset.Load(0).Channels);
        Assert.Equal(3, dataset.Load(3).Channels);
        Assert.Equal(40, dataset.Load(2, shortSideHint: 40).Width);
    }

    [Fact]
    public void ValidationFolderUsesTheTrainingClasses()
    {
        using var root = new TemporaryDirectory();
        Write(root, "val/b/1.png", Png);
        Write(root, "odd/q/1.png", Png);
        string[] training = ["a", "b", "c"];

        var validation = new ImageFolderDataset(Path.Combine(root.Path, "val"), training);
        Assert.Equal(training, validation.ClassNames);
        Assert.Equal(1, validation.LabelOf(0));

        var e = Assert.Throws<ImageFormatException>(() => new ImageFolderDataset(Path.Combine(root.Path, "odd"), training));
        Assert.Contains("class \"q\" is not among the 3 given classes", e.Message);
        Assert.Throws<ImageFormatException>(() => new ImageFolderDataset(root.File("odd/q")));
    }

    [Fact]
    public void FlatFolderWithLabelsFile()
    {
        using var root = new TemporaryDirectory();
        Write(root, "val/img2.png", Png);
        Write(root, "val/img1.JPEG", Jpeg);
        Write(root, "val/unlisted.png", Png);
        File.WriteAllText(root.File("labels.txt"), "# ImageNet-style validation labels\n\nimg2.png\tcat\n  img1.JPEG 0  \n");

        var dataset = ImageFolderDataset.FromLabelsFile(root.File("val"), root.File("labels.txt"), ["dog", "cat"]);
        Assert.Equal(2, dataset.Count);
        Assert.Equal([1, 0], new[] { dataset.LabelOf(0), dataset.LabelOf(1) });
        Assert.EndsWith("img2.png", dataset.Describe(0));
        Assert.Equal((160, 160), (dataset.Load(1).Width, dataset.Load(1).Height));
    }

    [Theory]
    [InlineData("img.png\n", 1, "expected \"filename label\"")]
    [InlineData("# c\nimg.png cat extra\n", 2, "expected \"filename label\"")]
    [InlineData("img.png cat\n\nimg.png dog\n", 3, "already listed on line 1")]
    [InlineData("img.png horse\n", 1, "\"horse\" is neither one of the 2 class names nor an index below 2")]
    [InlineData("img.png 2\n", 1, "nor an index below 2")]
    [InlineData("img.png -1\n", 1, "nor an index below 2")]
    [InlineData("img.png cat\nmissing.png dog\n", 2, "does not exist")]
    [InlineData("../img.png cat\n", 1, "not a plain file name")]
    [InlineData("img.gif cat\n", 1, "is not a .png, .jpg or .jpeg file")]
    public void MalformedLabelsFilesNameTheLine(string labels, int line, string reason)
    {
        using var root = new TemporaryDirectory();
        Write(root, "val/img.png", Png);
        File.WriteAllText(root.File("labels.txt"), labels);
        var e = Assert.Throws<ImageFormatException>(() => ImageFolderDataset.FromLabelsFile(root.File("val"), root.File("labels.txt"), ["dog", "cat"]));
        Assert.StartsWith($"{root.File("labels.txt")}:{line}: ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void BadImagesAndUnreadableFilesNameTheirPath()
    {
        using var root = new TemporaryDirectory();
        Write(root, "a/good.png", Png);
        Write(root, "a/text.png", "not an image"u8.ToArray());
        Write(root, "a/truncated.jpg", Jpeg.AsSpan(0, Jpeg.Length / 2).ToArray());
        var dataset = new ImageFolderDataset(root.Path);
        Assert.Equal(["good.png", "text.png", "truncated.jpg"], Enumerable.Range(0, 3).Select(i => Path.GetFileName(dataset.Describe(i))));

        var e = Assert.Throws<ImageFormatException>(() => dataset.Load(1));
        Assert.StartsWith(root.File("a/text.png") + ": not a PNG or JPEG image", e.Message);
        e = Assert.Throws<ImageFormatException>(() => dataset.Load(2));
        Assert.Equal(root.File("a/truncated.jpg"), e.Source);

        File.Delete(root.File("a/good.png"));
        e = Assert.Throws<ImageFormatException>(() => dataset.Load(0));
        Assert.Equal(root.File("a/good.png") + ": no such file", e.Message);
    }

    [Fact]
    public void EmptyTreesAreRefused()
    {
        using var root = new TemporaryDirectory();
        Assert.Contains("has no class subfolders", Assert.Throws<ImageFormatException>(() => new ImageFolderDataset(root.Path)).Message);
        Directory.CreateDirectory(root.File("a"));
        Assert.Contains("holds no .png", Assert.Throws<ImageFormatException>(() => new ImageFolderDataset(root.Path)).Message);
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderDataset(root.File("missing")));
    }

    private static void Write(TemporaryDirectory root, string relative, byte[] bytes)
    {
        string path = root.File(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    private static string Relative(TemporaryDirectory root, string path) => Path.GetRelativePath(root.Path, path).Replace('\\', '/');
}

using VggSharp.Interop;
using Xunit;

namespace VggSharp.Tests.Interop;

public class ClassNamesFileTests
{
    [Theory]
    [InlineData("ant\nbee\ncat\n", new[] { "ant", "bee", "cat" })]
    [InlineData("n01440764 tench, Tinca tinca\r\nn01443537 goldfish\r\nn01484850 great white shark\r\n\r\n", new[] { "tench, Tinca tinca", "goldfish", "great white shark" })]
    public void NamesAreReadOneALineWithoutWordNetIds(string text, string[] expected)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("names.txt");
        File.WriteAllText(path, text);

        Assert.Equal(expected, ClassNamesFile.Read(path, 3));
    }

    [Theory]
    [InlineData("ant\n\ncat\n", "line 2 is blank")]
    [InlineData("ant\nbee\n", "2 class names (one a line) but the model has 3 classes")]
    public void AWrongListIsRefused(string text, string phrase)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("names.txt");
        File.WriteAllText(path, text);

        var e = Assert.Throws<WeightsFormatException>(() => ClassNamesFile.Read(path, 3));
        Assert.Contains(phrase, e.Message);
    }
}

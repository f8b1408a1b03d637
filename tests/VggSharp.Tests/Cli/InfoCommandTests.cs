using System.Text.Json;
using Xunit;

namespace VggSharp.Tests.Cli;

public class InfoCommandTests
{
    [Fact]
    public void JsonForDAt224HasTable2ParametersAndMultiplyAdds()
    {
        var result = CliRunner.Run("info", "--config", "D", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal(138_357_544L, root.GetProperty("parameters").GetInt64());
        Assert.Equal(15_470_264_320L, root.GetProperty("macs").GetInt64());
        Assert.Equal("D", root.GetProperty("configuration").GetString());
        Assert.Equal(1000, root.GetProperty("classes").GetInt32());
        Assert.Equal([3, 224, 224], root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()));
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal("features.0", layers[0].GetProperty("name").GetString());
        Assert.Equal("conv1_1", layers[0].GetProperty("role").GetString());
        Assert.Equal([64, 224, 224], layers[0].GetProperty("output_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("fc8", layers[^1].GetProperty("role").GetString());
        Assert.Equal(root.GetProperty("activation_bytes").GetInt64(), layers.Sum(l => l.GetProperty("activation_bytes").GetInt64()));
        Assert.Equal(root.GetProperty("macs").GetInt64(), layers.Sum(l => l.GetProperty("macs").GetInt64()));
    }

    [Fact]
    public void JsonForALrnHasTheNormalisationLayerAndAsParameters()
    {
        var result = CliRunner.Run("info", "--config", "A-LRN", "--json");

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal("A-LRN", root.GetProperty("configuration").GetString());
        Assert.Equal(132_863_336L, root.GetProperty("parameters").GetInt64());
        Assert.Equal(7_609_090_048L, root.GetProperty("macs").GetInt64());
        var norm = root.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("role").GetString() == "norm1");
        Assert.Equal("features.2", norm.GetProperty("name").GetString());
        Assert.StartsWith("LocalResponseNorm", norm.GetProperty("description").GetString());
    }

    [Fact]
    public void JsonForACustomLayerStringFollowsEveryOption()
    {
        var result = CliRunner.Run("info", "--config", "32,M,64,M", "--input", "32", "--channels", "1", "--classes", "10",
            "--head", "small", "--json");

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal("32,M,64,M", root.GetProperty("configuration").GetString());
        Assert.Equal([1, 32, 32], root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(512, root.GetProperty("hidden_units").GetInt32());
        // conv 1→32: 320, conv 32→64: 18,496, fc6 4096→512: 2,097,664, fc7 512→512: 262,656, fc8 512→10: 5,130.
        Assert.Equal(2_384_266L, root.GetProperty("parameters").GetInt64());
        // conv: 294,912 + 4,718,592; fully connected: 2,097,152 + 262,144 + 5,120.
        Assert.Equal(7_377_920L, root.GetProperty("macs").GetInt64());
    }

    [Fact]
    public void TableListsEveryLayerAndEndsWithTheTotals()
    {
        var result = CliRunner.Run("info", "--config", "D");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("conv5_3", result.Output);
        Assert.Contains("Conv2d 3→64, 3x3, pad 1", result.Output);
        Assert.Contains("512x7x7", result.Output);
        var totals = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^3..];
        Assert.Matches(@"^Total parameters\s+138,357,544\s*$", totals[0]);
        Assert.Matches(@"^Total multiply-adds\s+15\.47 G\s*$", totals[1]);
        Assert.Matches(@"^Activation memory per image\s+\d+\.\d\d MB\s*$", totals[2]);
        Assert.DoesNotContain('\u001b', result.Output);
    }

    [Fact]
    public void HelpDescribesTheCommandAndItsOptionsWithoutNeedingThem()
    {
        var root = CliRunner.Run("--help");
        var info = CliRunner.Run("info", "--help");

        Assert.Equal(0, root.ExitCode);
        Assert.Contains("info", root.Output);
        Assert.Equal(0, info.ExitCode);
        Assert.Equal("", info.Error);
        foreach (string option in new[] { "--config", "--classes", "--input", "--channels", "--width", "--head", "--json" })
            Assert.Contains(option, info.Output);
    }

    [Theory]
    [InlineData("unknown configuration", "info --config Z")]
    [InlineData("at least 32x32", "info --config D --input 16")]
    [InlineData("'abc'", "info --config D --classes abc")]
    [InlineData("Classes must be at least 1", "info --config D --classes 0")]
    [InlineData("Width multiplier", "info --config D --width 0")]
    [InlineData("'--bogus'", "info --config D --bogus")]
    [InlineData("'--config' is required", "info")]
    [InlineData("--head must be one of paper, small, got 'big'", "info --config D --head big")]
    [InlineData("bad token 'X'", "info --config 64,X")]
    [InlineData("'frob'", "frob")]
    [InlineData("Required command", "")]
    public void ErrorsAreOneLineOnStandardErrorWithANonZeroExitCode(string expected, string commandLine)
    {
        var result = CliRunner.Run(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains(expected, result.SingleErrorLine(), StringComparison.OrdinalIgnoreCase);
    }
}

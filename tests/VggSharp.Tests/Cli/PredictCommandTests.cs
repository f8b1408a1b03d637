using System.Text.Json;
using Xunit;

namespace VggSharp.Tests.Cli;

public class PredictCommandTests(EvaluationCliFixture fixture) : IClassFixture<EvaluationCliFixture>
{
    [Fact]
    public void TextListsTheClassesByNameWithProbabilities()
    {
        var result = CliRunner.Run("predict", "-w", fixture.Model, fixture.Image);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(fixture.Image, lines[0]);
        Assert.Equal(4, lines.Length); // three classes, all listed under the default --top 5
        Assert.All(lines[1..], line => Assert.Matches(@"^\s+[123]\. (ant|bee|cat)  0\.\d{4}$|^\s+[123]\. (ant|bee|cat)  1\.0000$", line));
    }

    [Fact]
    public void JsonHasTheTopClassesInOrderAndIndicesWithoutNames()
    {
        var result = CliRunner.Run("predict", "-w", fixture.SecondModel, "--protocol", "multicrop", "--scales", "18", "--top", "2", "--json", fixture.Image, fixture.Image);

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal("multicrop", root.GetProperty("protocol").GetString());
        var predictions = root.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(2, predictions.Count);
        var top = predictions[0].GetProperty("top").EnumerateArray().ToList();
        Assert.Equal(2, top.Count);
        Assert.True(top[0].GetProperty("probability").GetDouble() >= top[1].GetProperty("probability").GetDouble());
        Assert.Equal(top[0].GetProperty("class").GetInt32().ToString(), top[0].GetProperty("name").GetString());
        Assert.Equal(predictions[0].GetRawText(), predictions[1].GetRawText());
    }

    [Fact]
    public void ABadImageGetsAnErrorLineAndTheOthersAreStillClassified()
    {
        var result = CliRunner.Run("predict", "-w", fixture.Model, "--json", fixture.BrokenImage, fixture.Image);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"error: {fixture.BrokenImage}: ", line);
        var predictions = JsonDocument.Parse(result.Output).RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.False(predictions[0].TryGetProperty("top", out _));
        Assert.Contains("broken.png", predictions[0].GetProperty("error").GetString());
        Assert.Equal(3, predictions[1].GetProperty("top").GetArrayLength());
    }

    [Theory]
    [InlineData(2, "--top must be at least 1", "predict -w {model} --top 0 {image}")]
    [InlineData(2, "Give images, or --input x.npy with --output logits.npy.", "predict -w {model}")]
    [InlineData(1, ".missing: no such file", "predict -w {model}.missing {image}")]
    public void ErrorsAreOneLine(int exitCode, string expected, string commandLine)
    {
        var result = CliRunner.Run(commandLine.Replace("{model}", fixture.Model).Replace("{image}", fixture.Image).Split(' '));

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(expected, result.SingleErrorLine(), StringComparison.OrdinalIgnoreCase);
    }
}

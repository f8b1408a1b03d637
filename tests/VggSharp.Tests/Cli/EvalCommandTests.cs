using System.Text.Json;
using VggSharp.Data;
using VggSharp.Evaluation;
using VggSharp.Interop;
using Xunit;

namespace VggSharp.Tests.Cli;

public class EvalCommandTests(EvaluationCliFixture fixture) : IClassFixture<EvaluationCliFixture>
{
    [Fact]
    public void JsonReportsTheErrorsTheEvaluatorComputes()
    {
        var result = CliRunner.Run("eval", "--weights", fixture.Model, "--data", fixture.Data, "--protocol", "dense+multicrop", "--scales", "16,20", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        var root = JsonDocument.Parse(result.Output).RootElement;
        using var model = VggModelFile.Load(fixture.Model);
        var expected = Evaluator.Evaluate([model], new ImageFolderDataset(Path.Combine(fixture.Data, "val")),
            new EvaluationOptions { Protocol = EvaluationProtocol.DenseAndMultiCrop, Scales = [16, 20] });
        Assert.Equal(expected.Top1Error, root.GetProperty("top1_error").GetDouble());
        Assert.Equal(expected.Top5Error, root.GetProperty("top5_error").GetDouble());
        Assert.Equal("dense+multicrop", root.GetProperty("protocol").GetString());
        Assert.Equal([16, 20], root.GetProperty("scales").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(6, root.GetProperty("images").GetInt32());
        Assert.Equal(0, root.GetProperty("skipped").GetInt32());
        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(fixture.Model, Assert.Single(models).GetProperty("path").GetString());
        Assert.Equal(16, models[0].GetProperty("input_size").GetInt32());
    }

    [Fact]
    public void AnEnsembleWithoutScalesRunsCenterAtTheInputSizeAndPrintsText()
    {
        var result = CliRunner.Run("eval", "-w", fixture.Model, "-w", fixture.SecondModel, "--data", fixture.Data, "--limit", "4", "--batch", "3");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("Protocol     center, an ensemble of 2 models", result.Output);
        Assert.Contains("Images       4", result.Output);
        Assert.Matches(@"Top-1 error  \d+\.\d\d% \(0\.\d{4}|1\.0000\)", result.Output);
        Assert.Matches(@"Top-5 error  0\.00% \(0\.0000\)", result.Output); // three classes: always in the top five
        Assert.Contains("scales 16)", result.Output);
    }

    [Fact]
    public void DenseWithoutScalesUsesThePapersScalesInProportionToTheInput()
    {
        var result = CliRunner.Run("eval", "-w", fixture.Model, "--data", fixture.Data, "--protocol", "dense", "--json");

        Assert.Equal(0, result.ExitCode);
        // 256/224 of 16 is 18, and the step of 32/224 of 16 is 2.
        Assert.Equal([16, 18, 20], JsonDocument.Parse(result.Output).RootElement.GetProperty("scales").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void ABadImageIsSkippedWithAWarning()
    {
        string data = fixture.File("with-bad");
        foreach (string file in Directory.EnumerateFiles(fixture.Data, "*.png", SearchOption.AllDirectories))
        {
            string target = Path.Combine(data, Path.GetRelativePath(fixture.Data, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.Copy(fixture.BrokenImage, Path.Combine(data, "val", "ant", "9.png"));

        var result = CliRunner.Run("eval", "-w", fixture.Model, "--data", data, "--json");

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal(6, root.GetProperty("images").GetInt32());
        Assert.Equal(1, root.GetProperty("skipped").GetInt32());
        Assert.EndsWith("9.png", root.GetProperty("skipped_images")[0].GetProperty("source").GetString());
        Assert.StartsWith("warning: skipped ", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData(1, "missing.safetensors: no such file", "eval -w {dir}/missing.safetensors --data {data}")]
    [InlineData(1, "3 classes but the model predicts 4", "eval -w {four} --data {data}")]
    [InlineData(1, "smaller than model 1's input size 16", "eval -w {model} --data {data} --scales 12")]
    [InlineData(1, "No data set", "eval -w {model} --data {dir}/nowhere")]
    [InlineData(2, "'tencrop'", "eval -w {model} --data {data} --protocol tencrop")]
    [InlineData(2, "'16,x'", "eval -w {model} --data {data} --scales 16,x")]
    [InlineData(2, "'--data' is required", "eval -w {model}")]
    [InlineData(2, "'--weights' is required", "eval --data {data}")]
    [InlineData(1, "Batch size must be at least 1", "eval -w {model} --data {data} --batch 0")]
    public void ErrorsAreOneLine(int exitCode, string expected, string commandLine)
    {
        var args = commandLine.Replace("{dir}", Path.GetDirectoryName(fixture.Model)).Replace("{data}", fixture.Data)
            .Replace("{four}", fixture.FourClassModel).Replace("{model}", fixture.Model).Split(' ');

        var result = CliRunner.Run(args);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains(expected, result.SingleErrorLine(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void HelpDocumentsTheProtocolsAndDefaultScales()
    {
        var result = CliRunner.Run("eval", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (string text in new[] { "--weights", "--data", "--protocol", "dense+multicrop", "--scales", "224,256,288", "--limit", "--batch", "--json" })
            Assert.Contains(text, result.Output);
    }
}

using System.Text.Json;
using VggSharp.Interop;
using VggSharp.Tests.Data;
using VggSharp.Tests.Interop;
using VggSharp.Tests.Transfer;
using VggSharp.Transfer;
using Xunit;

namespace VggSharp.Tests.Cli;

public sealed class TransferCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly string _model, _data;

    /// <summary>A tiny model and a data set of three classes: train/ with 3 images each, val/ with 2.</summary>
    public TransferCommandTests()
    {
        using (var model = FeatureExtractorTests.SmallModel())
        {
            _model = _directory.File("model.safetensors");
            VggModelFile.Save(model, _model);
        }
        _data = Path.Combine(_directory.Path, "data");
        int seed = 0;
        foreach (var (part, count) in new[] { ("train", 3), ("val", 2) })
            foreach (string name in new[] { "ant", "bee", "cat" })
            {
                string folder = Path.Combine(_data, part, name);
                Directory.CreateDirectory(folder);
                for (int i = 0; i < count; i++) TestPng.Write(Path.Combine(folder, $"{i}.png"), ResamplerTests.Noise(16 + i, 18, 3, seed++));
            }
    }

    [Fact]
    public void TransferReportsRecallAndApAsJsonAndHtml()
    {
        string report = _directory.File("report.html");
        var result = CliRunner.Run("transfer", "-w", _model, "--train", _data, "--per-class", "2", "--splits", "2", "--scales", "16,20",
            "--c", "1", "--json", "--report", report);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("splits").GetArrayLength());
        Assert.Equal(3, root.GetProperty("classes").GetArrayLength());
        Assert.Equal(12, root.GetProperty("feature_dimension").GetInt32());
        Assert.Equal(6, root.GetProperty("test_images").GetInt32());
        Assert.InRange(root.GetProperty("mean_class_recall").GetDouble(), 0, 1);
        Assert.InRange(root.GetProperty("map_eleven_point").GetDouble(), 0, 1);
        string html = File.ReadAllText(report);
        Assert.Contains("confusion matrix", html);
        Assert.Contains("<svg", html);
    }

    [Fact]
    public void FeaturesWritesTheArraysIntoTheFolder()
    {
        string output = Path.Combine(_directory.Path, "features");
        var result = CliRunner.Run("features", "-w", _model, "--data", _data, "--set", "val", "--class-subset", "2,0", "--scales", "16", "--out", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["cat", "ant"], File.ReadAllLines(Path.Combine(output, FeatureSet.ClassesFileName)));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(output, FeatureSet.FilesFileName)).Length);
        Assert.True(File.Exists(Path.Combine(output, FeatureSet.FeaturesFileName)));
    }

    [Fact]
    public void AMissingLayerIsOneErrorLine()
    {
        var result = CliRunner.Run("transfer", "-w", _model, "--train", _data, "--layer", "fc9");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: Model 1 (8,M,16,M) has no layer 'fc9'; its layers are conv1_1,", result.SingleErrorLine());
    }

    [Fact]
    public void DataWithOneClassIsOneErrorLine()
    {
        var result = CliRunner.Run("transfer", "-w", _model, "--train", _data, "--class-subset", "1", "--c", "1");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: The data has one class (bee); a classifier needs at least two.", result.SingleErrorLine());
    }

    [Fact]
    public void AClassEmptiedByTheSplitIsOneErrorLine()
    {
        var result = CliRunner.Run("transfer", "-w", _model, "--train", _data, "--per-class", "4");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: Class ant has 3 images, fewer than the 4 per class asked for.", result.SingleErrorLine());
    }

    /// <inheritdoc />
    public void Dispose() => _directory.Dispose();
}

using System.Text.Json;
using VggSharp.Tests.Interop;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

public class MetricsLogTests
{
    internal static EpochMetrics Epoch(int epoch, double lr = 0.01) => new()
    {
        Epoch = epoch, TrainLoss = 6.9 / epoch, TrainTop1Error = 0.9 / epoch, ValTop1Error = 0.95 / epoch, ValTop5Error = 0.7 / epoch,
        LearningRate = lr, ImagesPerSecond = 250.5, Seconds = 5120.25, SkippedImages = epoch - 1,
    };

    private static readonly string[] RequiredFields =
        ["epoch", "train_loss", "train_top1_error", "val_top1_error", "val_top5_error", "lr", "images_per_second", "seconds", "skipped_images"];

    [Fact]
    public void EachEpochIsOneJsonLineWithTheRequiredFields()
    {
        using var directory = new TemporaryDirectory();
        var log = new MetricsLog(directory.Path);
        for (int e = 1; e <= 3; e++) log.Append(Epoch(e));

        var lines = File.ReadAllLines(Path.Combine(directory.Path, MetricsLog.FileName));

        Assert.Equal(3, lines.Length);
        foreach (var (line, index) in lines.Select((l, i) => (l, i)))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            foreach (string field in RequiredFields) Assert.Equal(JsonValueKind.Number, root.GetProperty(field).ValueKind);
            Assert.Equal(index + 1, root.GetProperty("epoch").GetInt32());
            foreach (string fraction in new[] { "train_top1_error", "val_top1_error", "val_top5_error" })
                Assert.InRange(root.GetProperty(fraction).GetDouble(), 0, 1);
        }
    }

    [Fact]
    public void ReadGivesBackWhatWasAppended()
    {
        using var directory = new TemporaryDirectory();
        var log = new MetricsLog(directory.Path);
        var written = Enumerable.Range(1, 4).Select(e => Epoch(e)).ToList();
        foreach (var m in written) log.Append(m);

        Assert.Equal(written, new MetricsLog(directory.Path).Read());
    }

    [Fact]
    public void TheTimeBreakdownIsWrittenWhenMeasuredAndLeftOutOtherwise()
    {
        using var directory = new TemporaryDirectory();
        var log = new MetricsLog(directory.Path);
        log.Append(Epoch(1));
        log.Append(Epoch(2) with { LoaderWaitSeconds = 1.5, ValidationSeconds = 12.25 });

        var lines = File.ReadAllLines(log.Path);
        Assert.DoesNotContain("loader_wait_seconds", lines[0]);
        Assert.Contains("\"loader_wait_seconds\":1.5", lines[1]);
        Assert.Contains("\"validation_seconds\":12.25", lines[1]);
        var read = log.Read();
        Assert.Null(read[0].ValidationSeconds);
        Assert.Equal((1.5, 12.25), (read[1].LoaderWaitSeconds, read[1].ValidationSeconds));
    }

    [Theory]
    [InlineData(-1.0, 1.0)]
    [InlineData(1.0, double.PositiveInfinity)]
    [InlineData(double.NaN, 1.0)]
    public void NegativeOrNonFiniteTimesAreRefused(double loaderWait, double validation)
    {
        var e = Assert.Throws<ArgumentException>(() => (Epoch(1) with { LoaderWaitSeconds = loaderWait, ValidationSeconds = validation }).Validate());
        Assert.Contains("_seconds must be finite and non-negative", e.Message);
    }

    [Fact]
    public void ResumingDropsTheEpochsAfterTheCheckpoint()
    {
        using var directory = new TemporaryDirectory();
        var log = new MetricsLog(directory.Path);
        for (int e = 1; e <= 5; e++) log.Append(Epoch(e));

        log.DropAfter(3);
        log.Append(Epoch(4, lr: 0.001));

        var read = log.Read();
        Assert.Equal([1, 2, 3, 4], read.Select(m => m.Epoch));
        Assert.Equal(0.001, read[^1].LearningRate);
        Assert.Single(Directory.EnumerateFiles(directory.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void ALineTornByACrashIsRemovedOnOpening()
    {
        using var directory = new TemporaryDirectory();
        new MetricsLog(directory.Path).Append(Epoch(1));
        string path = Path.Combine(directory.Path, MetricsLog.FileName);
        File.AppendAllText(path, "{\"epoch\":2,\"train_lo");

        Assert.Single(new MetricsLog(directory.Path).Read());
        var log = new MetricsLog(directory.Path);
        log.Append(Epoch(2));
        Assert.Equal([1, 2], log.Read().Select(m => m.Epoch));
    }

    [Fact]
    public void ADivergedLossIsWrittenAndReadBack()
    {
        using var directory = new TemporaryDirectory();
        var log = new MetricsLog(directory.Path);
        log.Append(Epoch(1) with { TrainLoss = double.NaN });

        Assert.Contains("\"train_loss\":\"NaN\"", File.ReadAllText(log.Path));
        Assert.True(double.IsNaN(log.Read()[0].TrainLoss));
    }

    [Fact]
    public void AMalformedLineIsAnErrorNamingIt()
    {
        using var directory = new TemporaryDirectory();
        var log = new MetricsLog(directory.Path);
        log.Append(Epoch(1));
        File.AppendAllText(log.Path, "{\"epoch\":2}\n");

        var e = Assert.Throws<FormatException>(() => log.Read());
        Assert.Contains("line 2", e.Message);
    }

    [Theory]
    [InlineData(1.5, 0.1, 0.1)]
    [InlineData(0.1, -0.01, 0.1)]
    [InlineData(0.1, 0.1, double.NaN)]
    public void ErrorsOutsideZeroToOneAreRefused(double train, double val, double top5)
    {
        using var directory = new TemporaryDirectory();
        var log = new MetricsLog(directory.Path);
        Assert.Throws<ArgumentException>(() => log.Append(Epoch(1) with { TrainTop1Error = train, ValTop1Error = val, ValTop5Error = top5 }));
        Assert.Empty(log.Read());
    }
}

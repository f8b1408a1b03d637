using VggSharp.Cli.Commands;
using VggSharp.Data;
using VggSharp.Interop;
using VggSharp.Localisation;
using VggSharp.Models;
using VggSharp.Tests.Cli;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Localisation;

/// <summary>Localisation end to end on a tiny constructed set: data, training from a classifier, resume, bad annotations, eval and predict.</summary>
public class LocalisationTrainingTests(ClutteredSetFixture set) : IClassFixture<ClutteredSetFixture>, IDisposable
{
    private readonly string _root = Path.Combine(set.Root, Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>A tiny classifier of 16x16 grayscale inputs, saved where the runs can start from it.</summary>
    private string Classifier()
    {
        Directory.CreateDirectory(_root);
        string path = Path.Combine(_root, "classifier.safetensors");
        using var model = VggModel.Create(new VggOptions
        {
            Configuration = "BN:8,M,16,M,32,M", Classes = 10, InputChannels = 1, InputSize = 16, HiddenUnits = 16,
            Preprocessing = Preprocessing.MeanSubtraction(1),
        }, seed: 5);
        VggModelFile.Save(model, path, classNames: new ImageFolderDataset(Path.Combine(set.Data, "train")).ClassNames);
        return path;
    }

    private TrainingOptions Options(string name, string classifier, BoxRegression regression = BoxRegression.PerClass, bool fcOnly = false) => new()
    {
        Schedule = new TrainingOptions().Schedule with { InitialLearningRate = 0.01, MaxEpochs = 2, AnnealEpochs = 0 },
        Augmentation = new() { MinScale = 16, MaxScale = 20 },
        Loader = new() { BatchSize = 8, Workers = 2 },
        Seed = 3, OutputDirectory = Path.Combine(_root, name),
        Localisation = new LocalisationObjective { Regression = regression, FullyConnectedOnly = fcOnly },
        Source = new TrainingSource { Data = set.Data, InitFrom = classifier },
    };

    private static ProgressReporter Quiet(TextWriter? writer = null) =>
        new(writer ?? TextWriter.Null, isTerminal: false, new ProgressReporterOptions { PlainEverySteps = 1 });

    private static List<byte[]> Weights(string modelPath)
    {
        using var model = VggModelFile.Load(modelPath);
        return model.State().Select(e => e.Bytes.ToArray()).ToList();
    }

    [Fact]
    public void TheConstructedSetIsReadAsAnnotatedImagesAndIsDeterministic()
    {
        Assert.Equal(60, set.Written);
        var (train, validation) = LocalisationDataset.Open(set.Data);
        Assert.Equal((40, 20), (train.Count, validation.Count));
        var image = train.Load(5);
        Assert.Equal((32, 32, 1), (image.Width, image.Height, image.Channels));
        var box = Assert.Single(train.BoxesOf(5, image));
        Assert.InRange(box.Width, 1, 24);
        Assert.InRange(box.Right, box.Left + 1, 32);
        // The same key composes the same canvas and box.
        var fashion = FashionMnist.Load(set.Options.Source, train: false);
        var (a, boxA) = ClutteredSet.Compose(set.Options, fashion, [0, 1, 2], key: 42);
        var (b, boxB) = ClutteredSet.Compose(set.Options, fashion, [0, 1, 2], key: 42);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.Equal(boxA, boxB);
    }

    [Fact]
    public void ALocalisationRunStoppedAndResumedEndsWithTheSameBitsAsAnUninterruptedOne()
    {
        string classifier = Classifier();
        var straight = TrainingLaunch.Start(Options("straight", classifier), Quiet());

        var options = Options("interrupted", classifier);
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingLaunch.Start(options, Quiet(new VggSharp.Tests.Training.CancelAfterSteps(cancel, 3)), cancel.Token));
        var resumed = TrainingLaunch.Resume(options.OutputDirectory, Quiet());

        Assert.Equal(Weights(straight.ModelPath), Weights(resumed.ModelPath));
        Assert.InRange(straight.ValidationTop1Error, 0, 1);
        using (var reader = SafetensorsReader.Open(straight.ModelPath)) Assert.Equal("PerClass", reader.Metadata[LocalisationModel.RegressionKey]);
        Assert.Equal(10, LocalisationModel.ReadClassNames(straight.ModelPath)!.Count);
    }

    [Fact]
    public void TheBoxHeadStartsFromTheClassifierAndFcOnlyLeavesTheConvolutionsAlone()
    {
        string classifier = Classifier();
        var result = TrainingLaunch.Start(Options("fc", classifier, BoxRegression.SingleClass, fcOnly: true), Quiet());
        using var before = VggModelFile.Load(classifier);
        using var after = VggModelFile.Load(result.ModelPath);
        Assert.Equal(4, after.Options.Classes);
        var start = before.State().ToDictionary(e => e.Key, e => e.Bytes.ToArray());
        foreach (var entry in after.State())
        {
            // Batch-norm running statistics follow the data even when the layer does not learn.
            if (entry.Key.StartsWith("features.", StringComparison.Ordinal) && (entry.Key.EndsWith(".weight") || entry.Key.EndsWith(".bias")))
                Assert.Equal(start[entry.Key], entry.Bytes.ToArray());
        }
        Assert.NotEqual(start["classifier.0.weight"], after.State().Single(e => e.Key == "classifier.0.weight").Bytes.ToArray());
    }

    [Fact]
    public void AHostileOrMissingAnnotationIsReportedAndTrainingGoesOn()
    {
        // A copy of the set with one annotation replaced by a billion-laughs DTD and another deleted.
        string data = Path.Combine(_root, "data");
        foreach (string file in Directory.EnumerateFiles(set.Data, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(data, Path.GetRelativePath(set.Data, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var xmls = Directory.GetFiles(Path.Combine(data, "train"), "*.xml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        File.WriteAllText(xmls[0], "<?xml version=\"1.0\"?><!DOCTYPE annotation [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><annotation>&b;</annotation>");
        File.Delete(xmls[1]);
        var log = new StringWriter();
        var result = TrainingLaunch.Start(Options("bad", Classifier()) with { Source = new TrainingSource { Data = data, InitFrom = Path.Combine(_root, "classifier.safetensors") } },
            Quiet(log));
        Assert.True(File.Exists(result.ModelPath));
        string text = log.ToString();
        Assert.Contains($"skipped {xmls[0]}: not a valid PASCAL VOC annotation", text);
        Assert.Contains($"skipped {xmls[1]}: annotation is missing", text);
    }

    [Fact]
    public void EvalAndPredictReportBoxesAndDrawThem()
    {
        string classifier = Classifier();
        var result = TrainingLaunch.Start(Options("cli", classifier) with { Schedule = new TrainingOptions().Schedule with { InitialLearningRate = 0.01, MaxEpochs = 1, AnnealEpochs = 0 } }, Quiet());

        var eval = CliRunner.Run("eval", "--task", "localisation", "--weights", result.ModelPath, "--classifier", classifier, "--protocol", "dense",
            "--data", set.Data, "--json");
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains("\"top5_localisation_error\"", eval.Output);
        Assert.Contains("\"images\": 20", eval.Output);

        string image = Directory.GetFiles(Path.Combine(set.Data, "val"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        string drawn = Path.Combine(_root, "drawn");
        var predict = CliRunner.Run("predict", "--task", "localisation", "--weights", result.ModelPath, "--classifier", classifier, "--top", "2",
            "--draw", drawn, image);
        Assert.True(predict.ExitCode == 0, predict.Error);
        Assert.Contains(" box [", predict.Output);
        var png = ImageDecoder.DecodeFile(Path.Combine(drawn, Path.GetFileNameWithoutExtension(image) + ".boxes.png"));
        Assert.Equal((32, 32, 3), (png.Width, png.Height, png.Channels));

        var refused = CliRunner.Run("eval", "--task", "localisation", "--weights", result.ModelPath, "--protocol", "multicrop", "--data", set.Data);
        Assert.Contains("center or dense", refused.SingleErrorLine());
    }

    [Fact]
    public void DataWithoutBoxesAndAnOccupiedOutputFolderGetOneClearError()
    {
        var noBoxes = CliRunner.Run("train", "--task", "localisation", "--data", "fashion-mnist", "--out", Path.Combine(_root, "none"));
        Assert.Contains("Localisation data must be a folder", noBoxes.SingleErrorLine());
        var occupied = CliRunner.Run("localisation-data", "--out", set.Data, "--train-per-class", "1", "--val-per-class", "1");
        Assert.Contains("is not empty", occupied.SingleErrorLine());
    }
}

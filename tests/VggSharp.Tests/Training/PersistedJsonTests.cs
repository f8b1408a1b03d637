using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using VggSharp.Data.Transforms;
using VggSharp.Models;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

/// <summary>
/// The source-generated JSON of checkpoints, model files, metrics and the job set-up writes the bytes that
/// reflection-based serialisation wrote before it (so old checkpoints resume and new ones read as before).
/// </summary>
public class PersistedJsonTests
{
    /// <summary>The options exactly as a checkpoint written by the reflection-based trainer stores them.</summary>
    private const string StoredOptions =
        """{"Data":"fashion-mnist","Configuration":"D-BN","Width":0.0625,"Head":"Small","HiddenUnits":null,"Dropout":0.5,"InputSize":32,"InputChannels":null,"ScaleMin":32,"ScaleMax":36,"Flip":true,"ColourShift":0.1,"BatchSize":64,"MicroBatchSize":null,"LearningRate":0.02,"Momentum":0.9,"WeightDecay":0.0005,"Patience":2,"MinImprovement":0.005,"MaxReductions":3,"Epochs":2,"AnnealEpochs":2,"Init":"Glorot","InitFrom":null,"Seed":1,"Limit":256,"ValidationLimit":256,"LoaderWorkers":1,"CheckpointSeconds":300,"OutputDirectory":"/tmp/base-run"}""";

    /// <summary>Reflection, as System.Text.Json serialised these records before the generated metadata.</summary>
    private static readonly JsonSerializerOptions Reflection = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    [Fact]
    public void AnExistingCheckpointsOptionsReadBackAndWriteTheSameBytes()
    {
        var options = JsonSerializer.Deserialize(StoredOptions, PersistedJson.Default.CheckpointOptions)!;

        Assert.Equal(CheckpointOptions.Defaults with
        {
            Data = "fashion-mnist", Width = 0.0625, BatchSize = 64, Epochs = 2, Limit = 256, ValidationLimit = 256, LoaderWorkers = 1,
            OutputDirectory = "/tmp/base-run",
        }, options);
        Assert.Equal(StoredOptions, JsonSerializer.Serialize(options, PersistedJson.Default.CheckpointOptions));
    }

    [Fact]
    public void OptionsMissingFromAnOlderCheckpointTakeTheirDefaults()
    {
        const string older = """{"Configuration":"A","Epochs":5,"Init":"Paper"}""";

        var generated = PersistedJson.Read(older, PersistedJson.Default.CheckpointOptions, CheckpointOptions.Defaults);

        Assert.Equal(CheckpointOptions.Defaults with { Configuration = "A", Epochs = 5, Init = InitScheme.Paper }, generated);
        Assert.Equal(2, generated!.AnnealEpochs);
        Assert.Equal(StoredOptions, JsonSerializer.Serialize(PersistedJson.Read(StoredOptions, PersistedJson.Default.CheckpointOptions, CheckpointOptions.Defaults),
            PersistedJson.Default.CheckpointOptions));
    }

    [Fact]
    public void DefaultsFillNestedObjectsToo()
    {
        var read = PersistedJson.Read("""{"TrainImages":7,"Options":{"Seed":3}}""", PersistedJson.Default.ReplicaSetup,
            new ReplicaSetup { Options = new TrainingOptions { CheckpointSeconds = 9 }, ValidationImages = 5 });

        Assert.Equal((3ul, 9.0), (read!.Options!.Seed, read.Options.CheckpointSeconds));
        Assert.Equal((7, 5), (read.TrainImages, read.ValidationImages));
    }

    [Fact]
    public void EveryRecordIsWrittenAsReflectionWroteIt()
    {
        var options = CheckpointOptions.Defaults with
        {
            Data = "/data/ünïcode folder", Head = VggHead.Paper, HiddenUnits = 1024, InputChannels = 3, MicroBatchSize = 32,
            Init = InitScheme.Kaiming, InitFrom = "a \"quoted\" path", Limit = 100, ValidationLimit = 50, Seed = ulong.MaxValue, Dropout = 0.3f,
        };
        var statistics = ChannelStatistics.FromMoments([72.675224f, 1e-7f, 255f], [4, 1, 0.5f, 1, 3, 0.2f, 0.5f, 0.2f, 2]);
        var schedule = new LearningRateScheduleState(0.001, 7, null, 5, 2, 1, ScheduleStop.Plateau);
        string[] classNames = ["T-shirt/top", "Ankle boot", "é<>&'"];

        AssertSameAsReflection(options, PersistedJson.Default.CheckpointOptions);
        AssertSameAsReflection(CheckpointOptions.Defaults, PersistedJson.Default.CheckpointOptions);
        var composed = options.ToOptions(statistics);
        AssertSameAsReflection(composed, PersistedJson.Default.TrainingOptions);
        AssertSameAsReflection(statistics, PersistedJson.Default.ChannelStatistics);
        AssertSameAsReflection(new EpochProgress(12.5, 7, 9, 0.25, 1), PersistedJson.Default.EpochProgress);
        AssertSameAsReflection(new TrainingPosition(3, 17, 1234567890123, 98765), PersistedJson.Default.TrainingPosition);
        AssertSameAsReflection(schedule, PersistedJson.Default.LearningRateScheduleState);
        AssertSameAsReflection(schedule with { BestAccuracy = 0.6125, Stop = ScheduleStop.EpochLimit }, PersistedJson.Default.LearningRateScheduleState);
        AssertSameAsReflection(new Checkpoint.OptimizerRecord(0.9f, 5e-4f), PersistedJson.Default.OptimizerRecord);
        AssertSameAsReflection(classNames, PersistedJson.Default.StringArray);
        AssertSameAsReflection<IReadOnlyList<string>>(classNames.ToList(), PersistedJson.Default.IReadOnlyListString);
        AssertSameAsReflection(MetricsLogTests.Epoch(2), PersistedJson.Default.EpochMetrics);
        AssertSameAsReflection(MetricsLogTests.Epoch(3) with { Ranks = 2, CommunicationSecondsPerStep = 0.5 }, PersistedJson.Default.EpochMetrics);
        AssertSameAsReflection(new ReplicaSetup
        {
            Options = composed, Model = new() { ["vggsharp.classes"] = "10" }, Optimizer = new SgdOptions(),
            Schedule = schedule, Position = new TrainingPosition(1, 2, 3, 4), Progress = EpochProgress.Empty, TrainImages = 60000,
            ValidationImages = 10000, ClassNames = classNames, State = ["features.0.weight [4, 1, 3, 3]"],
        }, PersistedJson.Default.ReplicaSetup);
        AssertSameAsReflection(new ReplicaSetup { Error = "no data" }, PersistedJson.Default.ReplicaSetup);
    }

    [Fact]
    public void AMetricsLineWithADivergedLossIsWrittenAsReflectionWroteIt()
    {
        var settings = new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, TypeInfoResolver = PersistedJson.Default };
        var reflection = new JsonSerializerOptions(settings) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        var diverged = MetricsLogTests.Epoch(4) with { TrainLoss = double.NaN, ImagesPerSecond = double.PositiveInfinity };

        string json = JsonSerializer.Serialize(diverged, PersistedJson.Of<EpochMetrics>(settings));

        Assert.Equal(JsonSerializer.Serialize(diverged, reflection), json);
        Assert.Contains("\"train_loss\":\"NaN\"", json);
    }

    [Fact]
    public void ATypeThatIsNotListedIsAClearError()
    {
        Assert.Throws<NotSupportedException>(() => PersistedJson.Of<Uri>());
    }

    private static void AssertSameAsReflection<T>(T value, JsonTypeInfo<T> generated)
    {
        string json = JsonSerializer.Serialize(value, generated);
        Assert.Equal(JsonSerializer.Serialize(value, Reflection), json);
        Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize(json, generated)!, generated));
    }
}

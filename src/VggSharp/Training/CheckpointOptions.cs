using System.Text.Json.Serialization;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Localisation;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// <see cref="TrainingOptions"/> as a checkpoint stores them (the "extra.options" JSON): one flat object, the layout
/// every checkpoint since format version 1 has, so older checkpoints resume. The architecture fields are the
/// <see cref="TrainingSource"/>'s, or the trained model's when the run has no source (its <see cref="Data"/> is then null).
/// </summary>
internal sealed record CheckpointOptions
{
    /// <summary>Today's defaults, which an older checkpoint's missing fields take (an option added since it was written).</summary>
    public static CheckpointOptions Defaults { get; } = From(new TrainingOptions { Source = new TrainingSource() }, new TrainingSource().Model);

    public string? Data { get; init; }
    public required string Configuration { get; init; }
    public double Width { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<VggHead>))]
    public VggHead Head { get; init; }
    public int? HiddenUnits { get; init; }
    public float Dropout { get; init; }
    public int InputSize { get; init; }
    public int? InputChannels { get; init; }
    public int ScaleMin { get; init; }
    public int ScaleMax { get; init; }
    public bool Flip { get; init; }
    public float ColourShift { get; init; }
    public int BatchSize { get; init; }
    public int? MicroBatchSize { get; init; }
    public double LearningRate { get; init; }
    public float Momentum { get; init; }
    public float WeightDecay { get; init; }
    public int Patience { get; init; }
    public double MinImprovement { get; init; }
    public int MaxReductions { get; init; }
    public int Epochs { get; init; }
    public int AnnealEpochs { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<InitScheme>))]
    public InitScheme Init { get; init; }
    public string? InitFrom { get; init; }
    // Added after format version 1: left out when unused, so the options of a run without them keep their bytes.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[]? Classes { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PerClass { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Split { get; init; }
    public ulong Seed { get; init; }
    public int? Limit { get; init; }
    public int? ValidationLimit { get; init; }
    public int LoaderWorkers { get; init; }
    public double CheckpointSeconds { get; init; }
    public required string OutputDirectory { get; init; }
    // Left out of classification runs' checkpoints, so their bytes stay as before.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LocalisationObjective? Localisation { get; init; }

    /// <summary>The stored form of <paramref name="options"/> for a run training <paramref name="model"/>.</summary>
    public static CheckpointOptions From(TrainingOptions options, VggOptions model)
    {
        var architecture = options.Source?.Model ?? model;
        return new()
        {
            Data = options.Source?.Data, Configuration = architecture.Configuration, Width = architecture.WidthMultiplier, Head = architecture.Head,
            HiddenUnits = architecture.HiddenUnits, Dropout = architecture.Dropout, InputSize = architecture.InputSize,
            InputChannels = options.Source is null ? model.InputChannels : options.Source.InputChannels,
            ScaleMin = options.Augmentation.MinScale, ScaleMax = options.Augmentation.MaxScale, Flip = options.Augmentation.RandomFlip,
            ColourShift = options.Augmentation.ColourShiftSigma, BatchSize = options.Loader.BatchSize, MicroBatchSize = options.Loader.MicroBatchSize,
            LearningRate = options.Schedule.InitialLearningRate, Momentum = options.Optimizer.Momentum, WeightDecay = options.Optimizer.WeightDecay,
            Patience = options.Schedule.Patience, MinImprovement = options.Schedule.MinImprovement, MaxReductions = options.Schedule.MaxReductions,
            Epochs = options.Schedule.MaxEpochs, AnnealEpochs = options.Schedule.AnnealEpochs, Init = options.Source?.Init ?? default,
            InitFrom = options.Source?.InitFrom, Classes = options.Source?.Classes, PerClass = options.Source?.PerClass, Split = options.Source?.Split ?? 0,
            Seed = options.Seed, Limit = options.Loader.Limit, ValidationLimit = options.ValidationLimit,
            LoaderWorkers = options.Loader.Workers, CheckpointSeconds = options.CheckpointSeconds, OutputDirectory = options.OutputDirectory,
            Localisation = options.Localisation,
        };
    }

    /// <summary>The options these stored ones describe, with the <paramref name="statistics"/> stored beside them.</summary>
    public TrainingOptions ToOptions(ChannelStatistics statistics)
    {
        return new()
        {
            Optimizer = new SgdOptions { Momentum = Momentum, WeightDecay = WeightDecay },
            Schedule = new PlateauScheduleOptions
            {
                InitialLearningRate = LearningRate, Patience = Patience, MinImprovement = MinImprovement, MaxReductions = MaxReductions,
                MaxEpochs = Epochs, AnnealEpochs = AnnealEpochs,
            },
            Augmentation = new AugmentationOptions { MinScale = ScaleMin, MaxScale = ScaleMax, RandomFlip = Flip, ColourShiftSigma = ColourShift },
            Loader = new DataLoaderOptions { BatchSize = BatchSize, MicroBatchSize = MicroBatchSize, Workers = LoaderWorkers, Limit = Limit },
            Statistics = statistics, Seed = Seed, ValidationLimit = ValidationLimit, CheckpointSeconds = CheckpointSeconds, OutputDirectory = OutputDirectory,
            Localisation = Localisation,
            Source = Data is null ? null : new TrainingSource
            {
                Data = Data, InputChannels = InputChannels, Init = Init, InitFrom = InitFrom, Classes = Classes, PerClass = PerClass, Split = Split,
                Model = new TrainingSource().Model with
                {
                    Configuration = Configuration, WidthMultiplier = Width, Head = Head, HiddenUnits = HiddenUnits, Dropout = Dropout, InputSize = InputSize,
                },
            },
        };
    }
}

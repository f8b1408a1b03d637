using System.Text.Json.Serialization;
using VggSharp.Data;
using VggSharp.Models;
using VggSharp.Training;

namespace VggSharp.Experiments;

/// <summary>
/// How a study trains and evaluates. Every run of a study has the same recipe (the trainer's, <see cref="TrainingOptions"/>),
/// only the configuration, training scale, seed and start differ. The defaults fit Table 3 on Fashion-MNIST into about
/// two hours on 2 CPU cores (docs/EXPERIMENTS.md has the measurement): a quarter of the paper's width, the small head,
/// 32x32 crops, 3 epochs (the last at a tenth of the rate), 2 seeds.
/// </summary>
public sealed record ExperimentOptions
{
    /// <summary>"fashion-mnist" or a folder with train/ and val/ (see <see cref="DataSource"/>).</summary>
    public string Data { get; init; } = DataSource.FashionMnistName;

    /// <summary>The width multiplier of every convolution (1 is the paper's).</summary>
    public double Width { get; init; } = 0.25;

    /// <summary>The epoch limit of every run.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Seeds per row (1, 2, ...): each row's networks are trained once per seed, and the report gives the mean and spread.</summary>
    public int Seeds { get; init; } = 2;

    /// <summary>The crop (the networks' input size); the paper's scales are mapped to it in proportion (<see cref="TrainingScale.ForCrop"/>).</summary>
    public int CropSize { get; init; } = 32;

    /// <summary>The fully-connected head: the small one (512 hidden units) by default, the paper's 4096 for ImageNet-sized studies.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<VggHead>))]
    public VggHead Head { get; init; } = VggHead.Small;

    /// <summary>How B to E start: from the trained A (the paper's warm start) or from random weights.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<StudyInit>))]
    public StudyInit Init { get; init; } = StudyInit.WarmStart;

    /// <summary>The initial learning rate of every run (the trainer's default).</summary>
    public double LearningRate { get; init; } = new TrainingOptions().Schedule.InitialLearningRate;

    /// <summary>Images per optimisation step.</summary>
    public int BatchSize { get; init; } = new TrainingOptions().Loader.BatchSize;

    /// <summary>Train on the first N training images only; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Validate (after each epoch) and evaluate on the first N validation images only; null for all.</summary>
    public int? ValidationLimit { get; init; }

    /// <summary>
    /// Evaluate the rows on the first N validation images only; null: <see cref="ValidationLimit"/>'s. Unlike that, it
    /// leaves the runs as they are, so studies with different limits share their networks: multi-crop at three scales
    /// takes 150 crops of each image, and Tables 5 and 6 may want fewer images than Tables 3 and 4.
    /// </summary>
    public int? EvaluationLimit { get; init; }

    /// <summary>The images the rows are evaluated on: <see cref="EvaluationLimit"/>, else <see cref="ValidationLimit"/>; null for all.</summary>
    public int? EffectiveEvaluationLimit => EvaluationLimit ?? ValidationLimit;

    /// <summary>Background threads that decode and augment training images.</summary>
    public int Workers { get; init; } = new TrainingOptions().Loader.Workers;

    /// <summary>Crops per forward pass in evaluation.</summary>
    public int EvaluationBatch { get; init; } = 64;

    /// <summary>The study's directory: runs/ (one run directory per network and seed), evaluations/ and each study's reports (table3.html, table3.md). Studies of different tables share it, and the runs they have in common.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("runs", "experiments");

    /// <summary>How the study was started, for the report (the command line); null leaves it out.</summary>
    public string? CommandLine { get; init; }

    /// <summary>Checks the values a study adds to the trainer's (which checks the rest when a run starts).</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw new ArgumentException("The study needs a data set.");
        if (!(Width > 0) || Width > 64) throw new ArgumentException($"The width must be in (0, 64], got {Width}.");
        if (Epochs < 1) throw new ArgumentException($"The epoch limit must be at least 1, got {Epochs}.");
        if (Seeds < 1 || Seeds > 100) throw new ArgumentException($"Seeds must be in [1, 100], got {Seeds}.");
        if (CropSize < 32 || CropSize > 4096) throw new ArgumentException($"The crop must be in [32, 4096] (configuration A pools five times), got {CropSize}.");
        if (Limit < 1) throw new ArgumentException($"The training image limit must be at least 1, got {Limit}.");
        if (ValidationLimit < 1) throw new ArgumentException($"The validation image limit must be at least 1, got {ValidationLimit}.");
        if (EvaluationLimit < 1) throw new ArgumentException($"The evaluation image limit must be at least 1, got {EvaluationLimit}.");
        if (EvaluationBatch < 1) throw new ArgumentException($"The evaluation batch must be at least 1, got {EvaluationBatch}.");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new ArgumentException("The study needs an output directory.");
    }

    /// <summary>
    /// The options of the run that trains <paramref name="variant"/> with <paramref name="seed"/> in
    /// <paramref name="runDirectory"/>, starting from the weights in <paramref name="initFrom"/> (null: random).
    /// </summary>
    public TrainingOptions TrainingOptionsFor(ModelVariant variant, int seed, string runDirectory, string? initFrom)
    {
        var defaults = new TrainingOptions();
        var (min, max) = variant.Scale.ForCrop(CropSize);
        return defaults with
        {
            // A short run ends with a third of its epochs (at most two) at a tenth of the rate, as the main job does.
            Schedule = defaults.Schedule with { InitialLearningRate = LearningRate, MaxEpochs = Epochs, AnnealEpochs = Math.Min(2, Epochs / 3) },
            Augmentation = defaults.Augmentation with { MinScale = min, MaxScale = max },
            Loader = defaults.Loader with { BatchSize = BatchSize, Workers = Workers, Limit = Limit },
            Seed = (ulong)seed,
            ValidationLimit = ValidationLimit,
            OutputDirectory = runDirectory,
            Source = new TrainingSource
            {
                Data = Data, InitFrom = initFrom, Init = VggModel.DefaultInitScheme,
                Model = new TrainingSource().Model with { Configuration = variant.Configuration, WidthMultiplier = Width, Head = Head, InputSize = CropSize },
            },
        };
    }
}

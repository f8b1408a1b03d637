using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// How a run trains, one part per concern, with the defaults of the project's main job: section 3.1's recipe adapted
/// to Fashion-MNIST's 28x28 images (32x32 crops of images rescaled to S in [32, 36], flips, momentum 0.9, weight decay
/// 5e-4, the learning rate divided by 10 when validation accuracy stops improving). The model's own settings
/// (dropout, input size) are its <see cref="VggOptions"/>. Stored in the checkpoint, so a resumed run goes on with
/// exactly the same settings.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>SGD's momentum and weight decay: the paper's 0.9 and 5e-4.</summary>
    public SgdOptions Optimizer { get; init; } = new();

    /// <summary>
    /// The learning rate and its schedule; <see cref="PlateauScheduleOptions.MaxEpochs"/> is the epoch limit. By default
    /// 0.02 for at most 11 epochs, a gain of half a point counting as an improvement (on a short run, gains below that
    /// mean the rate has done what it can), and the last two epochs at a rate divided once more (the epoch limit comes
    /// before the plateau rule would divide it, and a tenth of the rate gains the most in its first two epochs).
    /// </summary>
    public PlateauScheduleOptions Schedule { get; init; } = new() { InitialLearningRate = 0.02, MinImprovement = 0.005, MaxEpochs = 11, AnnealEpochs = 2 };

    /// <summary>The scales, flips and colour shift; by default S in [32, 36] for 32x32 crops.</summary>
    public AugmentationOptions Augmentation { get; init; } = new() { MinScale = 32, MaxScale = 36 };

    /// <summary>
    /// The batch, micro-batch, workers and limit of the training data's loader: by default 128 images a step, one
    /// worker per two processors. Its seed is <see cref="Seed"/> and, in a data-parallel job, its shard the trainer's.
    /// </summary>
    public DataLoaderOptions Loader { get; init; } = new() { BatchSize = 128, Workers = Math.Max(1, Environment.ProcessorCount / 2) };

    /// <summary>The training set's channel statistics (for the colour shift); null: computed from up to 20,000 training images.</summary>
    public ChannelStatistics? Statistics { get; init; }

    /// <summary>The seed every random choice derives from.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Validate on the first N validation images only.</summary>
    public int? ValidationLimit { get; init; }

    /// <summary>A checkpoint is also written within an epoch when this many seconds have passed since the last.</summary>
    public double CheckpointSeconds { get; init; } = 300;

    /// <summary>The run directory.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("runs", "fashion-mnist");

    /// <summary>Where the command line took the data and model from; null for a caller's own.</summary>
    public TrainingSource? Source { get; init; }

    /// <summary>
    /// Null for classification; set, the run trains a box regressor (the paper's Appendix A) on a
    /// <see cref="Localisation.LocalisationDataset"/>, whose model has <see cref="OutputsFor"/> outputs.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Localisation.LocalisationObjective? Localisation { get; init; }

    /// <summary>The model's outputs for data of <paramref name="classes"/> classes: one score per class, or the box head's.</summary>
    public int OutputsFor(int classes) => Localisation?.OutputsFor(classes) ?? classes;

    /// <summary>The epoch limit.</summary>
    public int Epochs => Schedule.MaxEpochs;

    /// <summary>Checks the values, and that they can train a model of <paramref name="model"/>'s input size.</summary>
    public void Validate(VggOptions model)
    {
        Optimizer.Validate();
        Schedule.Validate();
        Augmentation.Validate(model.InputSize);
        Loader.Validate();
        Statistics?.Validate();
        if (Loader.Shard is not null) throw new ArgumentException("The trainer deals each batch out to the ranks of a job itself; leave the loader's shard unset.");
        if (!(CheckpointSeconds > 0)) throw new ArgumentException($"The checkpoint interval must be positive, got {CheckpointSeconds}.");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new ArgumentException("The run needs an output directory.");
    }
}

using System.Text.Json.Serialization;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// Everything a training run is made of, with the defaults of the project's main job: a VGG-16 with batch norm
/// (configuration D-BN) at a quarter of the paper's width, trained on Fashion-MNIST with section 3.1's recipe adapted
/// to 28x28 images (32x32 crops of images rescaled to S in [32, 36], flips, momentum 0.9, weight decay 5e-4, dropout
/// 0.5, the learning rate divided by 10 when validation accuracy stops improving). Stored in the checkpoint, so a
/// resumed run goes on with exactly the same settings.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>"fashion-mnist" or a folder with train/ and val/ (see <see cref="Data.DataSource"/>).</summary>
    public string Data { get; init; } = global::VggSharp.Data.DataSource.FashionMnistName;

    /// <summary>The configuration (Table 1 name, torchvision name or layer string).</summary>
    public string Configuration { get; init; } = "D-BN";

    /// <summary>The width multiplier of the convolutions.</summary>
    public double Width { get; init; } = 0.25;

    /// <summary>The fully-connected head.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<VggHead>))]
    public VggHead Head { get; init; } = VggHead.Small;

    /// <summary>Hidden units of the head; null for the head's default.</summary>
    public int? HiddenUnits { get; init; }

    /// <summary>Dropout after the two hidden fully-connected layers.</summary>
    public float Dropout { get; init; } = 0.5f;

    /// <summary>The network's input (crop) size.</summary>
    public int InputSize { get; init; } = 32;

    /// <summary>Input channels; null to take them from the data (1 for Fashion-MNIST, 3 for image folders).</summary>
    public int? InputChannels { get; init; }

    /// <summary>The smallest training scale S (the short side images are rescaled to before cropping).</summary>
    public int ScaleMin { get; init; } = 32;

    /// <summary>The largest training scale S; equal to <see cref="ScaleMin"/> for a fixed scale.</summary>
    public int ScaleMax { get; init; } = 36;

    /// <summary>Random horizontal flips.</summary>
    public bool Flip { get; init; } = true;

    /// <summary>Standard deviation of the RGB colour shift (a brightness shift for grayscale); 0 turns it off.</summary>
    public float ColourShift { get; init; } = 0.1f;

    /// <summary>Images per optimisation step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Images per forward/backward pass; a batch larger than this is accumulated over several passes. Null: the whole batch at once.</summary>
    public int? MicroBatchSize { get; init; }

    /// <summary>The initial learning rate.</summary>
    public double LearningRate { get; init; } = 0.02;

    /// <summary>SGD momentum.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>L2 weight decay on weights (not biases or batch-norm parameters).</summary>
    public float WeightDecay { get; init; } = 5e-4f;

    /// <summary>Epochs without a validation improvement before the learning rate is divided by 10.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>
    /// The gain in validation top-1 accuracy (a fraction) that counts as an improvement. Half a point by default: on a
    /// short run, gains below that mean the rate has done what it can, and dividing it then pays within the budget.
    /// </summary>
    public double MinImprovement { get; init; } = 0.005;

    /// <summary>How many times the learning rate may be divided before training stops at the next plateau.</summary>
    public int MaxReductions { get; init; } = 3;

    /// <summary>The epoch limit.</summary>
    public int Epochs { get; init; } = 11;

    /// <summary>
    /// The last this-many epochs before the limit run at a rate divided once more (unless the plateau rule just did).
    /// Two by default: the main job's epoch limit comes before the plateau rule would divide the rate, and a tenth of
    /// the rate gains the most in the first two epochs at it. 0 leaves the paper's plateau rule alone.
    /// </summary>
    public int AnnealEpochs { get; init; } = 2;

    /// <summary>
    /// How new weights are drawn. Glorot by default (<see cref="VggModel.DefaultInitScheme"/>): the paper notes it trains deep nets without pre-training, and
    /// torchvision's N(0, 0.01) for fully-connected layers shrinks the gradient about tenfold per layer in a small head.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<InitScheme>))]
    public InitScheme Init { get; init; } = VggModel.DefaultInitScheme;

    /// <summary>
    /// A trained model to start from, in any format <see cref="Interop.WeightsFile"/> reads (VggSharp safetensors, a PyTorch
    /// state_dict): one of the same configuration is fine-tuned (all its weights are taken); a
    /// shallower one warm-starts this one as in the paper (first four convolutions and the fully-connected layers).
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>The seed every random choice derives from.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Train on the first N training images only (quick runs).</summary>
    public int? Limit { get; init; }

    /// <summary>Validate on the first N validation images only.</summary>
    public int? ValidationLimit { get; init; }

    /// <summary>Background threads that decode and augment.</summary>
    public int LoaderWorkers { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>A checkpoint is also written within an epoch when this many seconds have passed since the last.</summary>
    public double CheckpointSeconds { get; init; } = 300;

    /// <summary>The run directory.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("runs", "fashion-mnist");

    /// <summary>
    /// <paramref name="model"/> with the architecture these options train: configuration, width, head, hidden units,
    /// dropout and input size. Its classes, input channels and preprocessing are kept: the data decides those.
    /// </summary>
    public VggOptions ApplyArchitectureTo(VggOptions model) => model with
    {
        Configuration = Configuration, InputSize = InputSize, WidthMultiplier = Width, Head = Head, HiddenUnits = HiddenUnits, Dropout = Dropout,
    };

    /// <summary>These options with the architecture of <paramref name="model"/>, the fields <see cref="ApplyArchitectureTo"/> sets; its classes, input channels and preprocessing are not kept.</summary>
    public TrainingOptions WithArchitectureOf(VggOptions model) => this with
    {
        Configuration = model.Configuration, InputSize = model.InputSize, Width = model.WidthMultiplier, Head = model.Head, HiddenUnits = model.HiddenUnits,
        Dropout = model.Dropout,
    };

    /// <summary>Checks the values that no other component checks.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"Batch size must be at least 1, got {BatchSize}.");
        if (MicroBatchSize is < 1) throw new ArgumentException($"Micro-batch size must be at least 1, got {MicroBatchSize}.");
        if (Epochs < 1) throw new ArgumentException($"Epochs must be at least 1, got {Epochs}.");
        if (AnnealEpochs < 0) throw new ArgumentException($"The number of annealed epochs must be non-negative, got {AnnealEpochs}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"The learning rate must be positive, got {LearningRate}.");
        if (ScaleMin < InputSize) throw new ArgumentException($"The training scale {ScaleMin} is smaller than the {InputSize}x{InputSize} crop.");
        if (ScaleMax < ScaleMin) throw new ArgumentException($"The largest scale {ScaleMax} is below the smallest {ScaleMin}.");
        if (!(MinImprovement >= 0 && MinImprovement < 1)) throw new ArgumentException($"The minimum improvement must be in [0, 1), got {MinImprovement}.");
        if (!(CheckpointSeconds > 0)) throw new ArgumentException($"The checkpoint interval must be positive, got {CheckpointSeconds}.");
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new ArgumentException("The run needs an output directory.");
    }
}

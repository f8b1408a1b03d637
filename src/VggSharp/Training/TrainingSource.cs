using System.Text.Json.Serialization;
using VggSharp.Data;
using VggSharp.Models;

namespace VggSharp.Training;

/// <summary>
/// Where a run that the command line prepares takes its data and model from: the data it names, the architecture it
/// asks for and how the weights start. Stored in the checkpoint, so that a resume reopens the same data, and shown in
/// the report. A caller that passes <see cref="Trainer.Train"/> a model and data sets of its own has none.
/// </summary>
public sealed record TrainingSource
{
    /// <summary>"fashion-mnist" or a folder with train/ and val/ (see <see cref="Data.DataSource"/>).</summary>
    public string Data { get; init; } = global::VggSharp.Data.DataSource.FashionMnistName;

    /// <summary>
    /// The architecture, by default the main job's: VGG-16 with batch norm (D-BN) at a quarter of the paper's width, the
    /// small head, 32x32 inputs and dropout 0.5. Its classes, input channels and preprocessing are not used: the data
    /// decides those.
    /// </summary>
    public VggOptions Model { get; init; } = new() { Configuration = "D-BN", WidthMultiplier = 0.25, Head = VggHead.Small, InputSize = 32 };

    /// <summary>Input channels; null to take them from the data (1 for Fashion-MNIST, 3 for image folders).</summary>
    public int? InputChannels { get; init; }

    /// <summary>
    /// How new weights are drawn. Glorot by default: the paper notes it trains deep nets without pre-training, and
    /// torchvision's N(0, 0.01) for fully-connected layers shrinks the gradient about tenfold per layer in a small head.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<InitScheme>))]
    public InitScheme Init { get; init; } = VggModel.DefaultInitScheme;

    /// <summary>
    /// A trained model to start from, in any format <see cref="Interop.WeightsFile"/> reads (VggSharp safetensors, a PyTorch
    /// state_dict): one of the same configuration is fine-tuned (all its weights are taken); a
    /// shallower one warm-starts this one as in the paper (first four convolutions and the fully-connected layers); a
    /// file of the convolutions alone (<see cref="Interop.IWeightsSource.FeaturesOnly"/>, Keras's _notop) gives all
    /// of this one's convolutions, the classifier keeping its initialisation.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>
    /// Train and validate on these classes of the data only (indices into its class list), renumbered 0, 1, ... in
    /// this order, as Yosinski et al. split ImageNet by classes; null for every class.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[]? Classes { get; init; }

    /// <summary>
    /// Train on this many images per class only, drawn at random as the transfer experiment's split
    /// <see cref="Split"/> draws them (<see cref="PerClassSplit"/>); null for every training image.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PerClass { get; init; }

    /// <summary>Which random split <see cref="PerClass"/> draws (0, 1, ...).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Split { get; init; }

    /// <summary>Opens the training and validation sets <see cref="Data"/> names, with only <see cref="Classes"/> and <see cref="PerClass"/>'s images.</summary>
    public (IImageDataset Train, IImageDataset Validation) OpenData()
    {
        if (PerClass < 1) throw new ArgumentException($"The training images per class must be at least 1, got {PerClass}.");
        if (Split < 0) throw new ArgumentException($"The split must be 0 or more, got {Split}.");
        var (train, validation) = DataSource.Open(Data);
        if (Classes is not null) (train, validation) = (DatasetSubset.OfClasses(train, Classes), DatasetSubset.OfClasses(validation, Classes));
        if (PerClass is { } n) train = DatasetSubset.OfImages(train, PerClassSplit.Draw(train, n, Split));
        return (train, validation);
    }
}

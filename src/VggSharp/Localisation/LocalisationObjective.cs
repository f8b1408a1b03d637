using System.Text.Json.Serialization;

namespace VggSharp.Localisation;

/// <summary>
/// What turns a training run into a localisation run (the paper's Appendix A): the last fully-connected layer predicts
/// boxes, trained with the Euclidean loss (<see cref="EuclideanBoxLoss"/>) on boxes moved with each sample's
/// augmentation; validation measures the box error with the ground-truth class on the centre crop. Part of the
/// checkpoint's options, so a resumed run goes on as a localisation run.
/// </summary>
public sealed record LocalisationObjective
{
    /// <summary>SCR or PCR.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<BoxRegression>))]
    public BoxRegression Regression { get; init; } = BoxRegression.PerClass;

    /// <summary>
    /// Whether only the fully-connected layers learn (the paper's weaker variant); by default all layers are fine-tuned.
    /// </summary>
    public bool FullyConnectedOnly { get; init; }

    /// <summary>The box head's outputs for <paramref name="classes"/> classes: 4, or 4 per class.</summary>
    public int OutputsFor(int classes) => Regression == BoxRegression.SingleClass ? BoxEncoding.Length : BoxEncoding.Length * classes;

    /// <summary>Where the box of class <paramref name="label"/> starts among the head's outputs (4 per class, or the one box).</summary>
    public int BoxOffset(int label) => Regression == BoxRegression.SingleClass ? 0 : BoxEncoding.Length * label;
}

using VggSharp.Evaluation;
using VggSharp.Models;

namespace VggSharp.Localisation;

/// <summary>How <see cref="LocalisationEvaluator"/> tests a localisation network.</summary>
public sealed record LocalisationEvaluationOptions
{
    /// <summary>Centre crop or dense. Default <see cref="LocalisationProtocol.Centre"/>.</summary>
    public LocalisationProtocol Protocol { get; init; } = LocalisationProtocol.Centre;

    /// <summary>
    /// The test scales Q, each at least the networks' input size. Empty: as <see cref="EvaluationOptions.ScalesFor"/>
    /// gives for the matching classification protocol (the input size for the centre crop; three scales for dense).
    /// </summary>
    public int[] Scales { get; init; } = [];

    /// <summary>The intersection over union above which two boxes of a class are merged. Default 0.5.</summary>
    public double MergeThreshold { get; init; } = GreedyBoxMerge.DefaultThreshold;

    /// <summary>The intersection over union a box must exceed to count as correct: the paper's 0.5.</summary>
    public double CorrectOverlap { get; init; } = 0.5;

    /// <summary>Evaluate only the first N images; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Threads that decode and rescale images. Default: the processor count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks every value.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Protocol)) throw new ArgumentException($"Unknown localisation protocol {(int)Protocol}.");
        if (!(MergeThreshold is >= 0 and <= 1)) throw new ArgumentException($"The merge threshold is an IoU between 0 and 1, got {MergeThreshold}.");
        if (!(CorrectOverlap is >= 0 and < 1)) throw new ArgumentException($"The overlap for a correct box is an IoU in [0, 1), got {CorrectOverlap}.");
        ClassificationOptions().Validate();
    }

    /// <summary>The classification protocol that matches this one (centre crop or dense, the same scales).</summary>
    public EvaluationOptions ClassificationOptions() => new()
    {
        Protocol = Protocol == LocalisationProtocol.Dense ? EvaluationProtocol.Dense : EvaluationProtocol.Center,
        Scales = Scales, Limit = Limit, MaxDegreeOfParallelism = MaxDegreeOfParallelism,
    };

    /// <summary>The test scales for a network of <paramref name="model"/>'s input size.</summary>
    public int[] ScalesFor(VggOptions model) => ClassificationOptions().ScalesFor(model);
}

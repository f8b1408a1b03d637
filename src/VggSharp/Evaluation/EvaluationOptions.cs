using VggSharp.Models;

namespace VggSharp.Evaluation;

/// <summary>How <see cref="Evaluator"/> tests models: the protocol, the test scales and how work is batched.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The paper's step between test scales (±32 around a training scale, for 224-pixel crops).</summary>
    public const int PaperScaleStep = 32;

    /// <summary>The paper's crop size, to which <see cref="PaperScaleStep"/> belongs.</summary>
    public const int PaperCropSize = 224;

    /// <summary>The paper's fixed training scale for its crop size (S = 256 for 224 crops), used when no scales are given.</summary>
    public const int PaperTrainScale = 256;

    /// <summary>The test protocol. Default <see cref="EvaluationProtocol.Center"/>.</summary>
    public EvaluationProtocol Protocol { get; init; } = EvaluationProtocol.Center;

    /// <summary>
    /// The test scales Q (the smallest side of the rescaled image), each at least every model's input size; posteriors
    /// are averaged over them. When empty, each model gets <see cref="ScalesFor"/>'s default.
    /// </summary>
    public int[] Scales { get; init; } = [];

    /// <summary>Crops (or whole images, by pixel count) per forward pass. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Evaluate only the first N images of the data set; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>Threads that decode, rescale and crop images. Default: the processor count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks every value.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Protocol)) throw new ArgumentException($"Unknown evaluation protocol {(int)Protocol}.");
        if (Scales.Any(q => q < 1 || q > 4096)) throw new ArgumentException($"Test scales must be in [1, 4096], got {string.Join(", ", Scales)}.");
        if (BatchSize < 1) throw new ArgumentException($"Batch size must be at least 1, got {BatchSize}.");
        if (Limit < 1) throw new ArgumentException($"The image limit must be at least 1, got {Limit}.");
        if (MaxDegreeOfParallelism < 1) throw new ArgumentException($"The degree of parallelism must be at least 1, got {MaxDegreeOfParallelism}.");
    }

    /// <summary>
    /// The test scales for a model of <paramref name="model"/>'s input size: <see cref="Scales"/> when given; otherwise
    /// the input size itself for <see cref="EvaluationProtocol.Center"/>, and for the other protocols
    /// <see cref="DefaultScales"/> of the paper's fixed training scale in proportion to the input size
    /// (S = 256/224 of it: 224, 256, 288 for a 224 input; 28, 32, 36 for 28).
    /// </summary>
    public int[] ScalesFor(VggOptions model)
    {
        if (Scales.Length > 0) return Scales;
        if (Protocol == EvaluationProtocol.Center) return [model.InputSize];
        int trainScale = Proportional(PaperTrainScale, model.InputSize);
        return DefaultScales(trainScale, trainScale, model.InputSize);
    }

    /// <summary>
    /// The paper's test scales for a model trained at scale S in [<paramref name="trainScaleMin"/>,
    /// <paramref name="trainScaleMax"/>]: {S - 32, S, S + 32} for a fixed S, {Smin, (Smin + Smax) / 2, Smax} for a
    /// jittered one. The step of 32 belongs to 224-pixel crops; for other crop sizes it is scaled in proportion
    /// (32/224 of <paramref name="cropSize"/>, rounded, at least 1: ±5 for 32-pixel crops), since ±32 would be a
    /// change of scale far beyond the paper's on small images. Scales below the crop size, which could not hold a
    /// crop, are left out.
    /// </summary>
    public static int[] DefaultScales(int trainScaleMin, int trainScaleMax, int cropSize = PaperCropSize)
    {
        if (cropSize < 1) throw new ArgumentOutOfRangeException(nameof(cropSize), cropSize, "The crop size is at least 1.");
        if (trainScaleMin < cropSize || trainScaleMax < trainScaleMin)
            throw new ArgumentException($"Training scales [{trainScaleMin}, {trainScaleMax}] must be ordered and at least the crop size {cropSize}.");
        int[] scales = trainScaleMin == trainScaleMax
            ? [trainScaleMin - Step(cropSize), trainScaleMin, trainScaleMin + Step(cropSize)]
            : [trainScaleMin, (trainScaleMin + trainScaleMax) / 2, trainScaleMax];
        return scales.Where(q => q >= cropSize).Distinct().ToArray();
    }

    private static int Step(int cropSize) => Math.Max(1, Proportional(PaperScaleStep, cropSize));

    /// <summary><paramref name="paperValue"/> (for 224 crops) scaled to <paramref name="cropSize"/>, rounded half away from zero.</summary>
    private static int Proportional(int paperValue, int cropSize) =>
        (int)Math.Round((double)paperValue * cropSize / PaperCropSize, MidpointRounding.AwayFromZero);
}

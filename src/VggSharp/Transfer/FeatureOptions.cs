using VggSharp.Evaluation;

namespace VggSharp.Transfer;

/// <summary>What <see cref="FeatureExtractor"/> computes (the paper's Appendix B) and how it batches the work.</summary>
public sealed record FeatureOptions
{
    /// <summary>The layer by its Caffe role ("fc7", "fc6", "pool5", "conv5_3"...). Default fc7, the penultimate layer.</summary>
    public string Layer { get; init; } = "fc7";

    /// <summary>
    /// The scales Q (the image's smallest side) the dense network runs at, each at least every model's input size. When
    /// empty, each model gets the dense protocol's default: {S - 32, S, S + 32} in proportion to its input size
    /// (see <see cref="EvaluationOptions.ScalesFor"/>).
    /// </summary>
    public int[] Scales { get; init; } = [];

    /// <summary>How the scales combine. Default <see cref="FeatureAggregation.Mean"/>.</summary>
    public FeatureAggregation Aggregation { get; init; } = FeatureAggregation.Mean;

    /// <summary>Average each image's descriptor with its horizontal flip's, as the paper does. Default true.</summary>
    public bool Flip { get; init; } = true;

    /// <summary>Whole images per forward pass, by pixels: as many as hold a batch of this many crops. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Threads that decode and rescale images. Default: the processor count.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks every value.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Layer)) throw new ArgumentException("Name the layer whose outputs are the features (fc7, fc6, pool5...).");
        if (!Enum.IsDefined(Aggregation)) throw new ArgumentException($"Unknown aggregation {(int)Aggregation}.");
        if (Scales.Distinct().Count() != Scales.Length) throw new ArgumentException($"A scale is listed twice in {string.Join(",", Scales)}.");
        EvaluationOptions().Validate();
    }

    /// <summary>The dense protocol at these scales, which each model's evaluator runs under.</summary>
    internal EvaluationOptions EvaluationOptions() => new()
    {
        Protocol = EvaluationProtocol.Dense, Scales = Scales, BatchSize = BatchSize, MaxDegreeOfParallelism = MaxDegreeOfParallelism,
    };
}

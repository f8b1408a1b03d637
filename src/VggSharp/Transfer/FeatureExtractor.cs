using System.Diagnostics;
using VggSharp.Data;
using VggSharp.Evaluation;
using VggSharp.Models;

namespace VggSharp.Transfer;

/// <summary>
/// Deep features as the paper's Appendix B computes them: the fully-convolutional network runs over the whole image
/// rescaled to each scale Q, a layer's output map is averaged over its positions (global average pooling), the image
/// and its horizontal flip are averaged, the scales averaged or stacked, the models' descriptors concatenated in
/// order and the result L2-normalised. Uses the evaluator's dense pass and image pipeline, so it runs at its speed.
/// </summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly List<EnsembleMember> _members = [];
    private readonly List<int> _layerCounts = [];
    private readonly List<int> _channels = [];
    private readonly FeatureOptions _options;
    private readonly ParallelOptions _parallel;

    /// <summary>Prepares <paramref name="models"/> (all taking the same input channels) for <paramref name="options"/>.</summary>
    public FeatureExtractor(IReadOnlyList<VggModel> models, FeatureOptions options)
    {
        options.Validate();
        if (models.Count == 0) throw new ArgumentException("Feature extraction needs at least one model.", nameof(models));
        _options = options;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        try
        {
            for (int m = 0; m < models.Count; m++)
            {
                var model = models[m];
                if (model.Options.InputChannels != models[0].Options.InputChannels)
                    throw new ArgumentException($"Model {m + 1} takes {model.Options.InputChannels} input channels but model 1 takes {models[0].Options.InputChannels}; stacked models share their input.");
                var member = new EnsembleMember(model, m + 1, options.EvaluationOptions());
                _members.Add(member);
                int layers = LayerCount(member.DenseModel!, m + 1, options.Layer);
                _layerCounts.Add(layers);
                _channels.Add(member.DenseChannels(layers));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        Dimension = Enumerable.Range(0, _members.Count).Sum(m => _channels[m] * BlocksOf(m));
        SmallestScale = _members.SelectMany(member => member.Scales).Min();
    }

    /// <summary>The length of a descriptor: the layer's channels, times the scales when stacked, summed over the models.</summary>
    public int Dimension { get; }

    /// <summary>The smallest scale any model runs at.</summary>
    public int SmallestScale { get; }

    /// <summary>The scales each model runs at, in model order.</summary>
    public IReadOnlyList<int[]> Scales => [.. _members.Select(member => member.Scales)];

    /// <summary>
    /// The descriptors of every image of <paramref name="data"/>, in its order; images that cannot be decoded are left
    /// out and listed. <paramref name="progress"/> gets the count done after each batch.
    /// </summary>
    public FeatureSet Extract(IImageDataset data, IProgress<FeatureProgress>? progress = null, CancellationToken cancellation = default)
    {
        var stopwatch = Stopwatch.StartNew();
        // One row per image, filled in place; rows of images that could not be decoded are cut off at the end.
        var matrix = new float[(long)data.Count * Dimension];
        var labels = new List<int>(data.Count);
        var sources = new List<string>(data.Count);
        var indices = new List<int>(data.Count);
        var bad = new List<BadImage>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, CancellationToken = cancellation };
        PreparedStep.ForEach(data, data.Count, _options.BatchSize, Rescale, SmallestScale, parallel, (step, done) =>
        {
            bad.AddRange(step.BadImages);
            long row = indices.Count;
            foreach (var descriptor in Describe(step.Images, cancellation)) descriptor.CopyTo(matrix, row++ * Dimension);
            labels.AddRange(step.Labels);
            sources.AddRange(step.Indices.Select(data.Describe));
            indices.AddRange(step.Indices);
            progress?.Report(new FeatureProgress(done, data.Count));
        });
        if (indices.Count < data.Count) Array.Resize(ref matrix, indices.Count * Dimension);
        return new FeatureSet(matrix, Dimension, [.. labels], sources, data.ClassNames, bad, stopwatch.Elapsed.TotalSeconds, indices);
    }

    /// <summary>The descriptor of one image.</summary>
    public float[] Describe(DecodedImage image, CancellationToken cancellation = default) => Describe([Rescale(image)], cancellation)[0];

    /// <summary>The L2-normalised descriptor of each image.</summary>
    private float[][] Describe(IReadOnlyList<RescaledImage> images, CancellationToken cancellation)
    {
        var sums = images.Select(_ => new float[Dimension]).ToArray();
        if (images.Count == 0) return sums;
        int offset = 0;
        for (int m = 0; m < _members.Count; m++)
        {
            var scales = _members[m].Scales;
            bool stack = _options.Aggregation == FeatureAggregation.Stack;
            for (int s = 0; s < scales.Length; s++)
            {
                int at = offset + (stack ? s * _channels[m] : 0);
                _members[m].AddDenseFeatures(images, scales[s], _layerCounts[m], _options.Flip, stack ? 1 : 1f / scales.Length, sums, at, cancellation);
            }
            offset += _channels[m] * BlocksOf(m);
        }
        foreach (var descriptor in sums) Normalise(descriptor);
        return sums;
    }

    /// <summary>Scales <paramref name="descriptor"/> to unit Euclidean length (its sum of squares in double); a zero one stays zero.</summary>
    public static void Normalise(Span<float> descriptor)
    {
        double squares = 0;
        foreach (float v in descriptor) squares += (double)v * v;
        if (squares == 0) return;
        float scale = (float)(1 / Math.Sqrt(squares));
        foreach (ref float v in descriptor) v *= scale;
    }

    /// <summary>
    /// The number of layers of <paramref name="model"/> (the <paramref name="position"/>-th, in its fully-convolutional form) that give
    /// <paramref name="layer"/>'s output: through the layer itself and the ReLU right after it, as Caffe's blob of that
    /// name holds it (its ReLU works in place), so "fc7" is the rectified penultimate layer.
    /// </summary>
    public static int LayerCount(VggModel model, int position, string layer)
    {
        var roles = model.LayerRoles;
        int index = -1;
        for (int i = 0; i < roles.Count; i++)
            if (string.Equals(roles[i], layer, StringComparison.OrdinalIgnoreCase)) index = i;
        if (index < 0)
            throw new ArgumentException($"Model {position} ({model.Configuration.Name}) has no layer '{layer}'; its layers are {string.Join(", ", roles.Where(r => !r.StartsWith("drop", StringComparison.Ordinal)))}.");
        bool reluFollows = index + 1 < roles.Count && roles[index + 1].StartsWith("relu", StringComparison.Ordinal);
        return index + (reluFollows ? 2 : 1);
    }

    private RescaledImage Rescale(DecodedImage image) => RescaledImage.Of(image, _members);

    private int BlocksOf(int member) => _options.Aggregation == FeatureAggregation.Stack ? _members[member].Scales.Length : 1;

    /// <inheritdoc />
    public void Dispose() => _members.ForEach(member => member.Dispose());
}

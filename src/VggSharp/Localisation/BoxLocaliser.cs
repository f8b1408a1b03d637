using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Evaluation;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Localisation;

/// <summary>
/// Runs a localisation network, and optionally the classification network of the same input size, over one image by
/// a protocol: the windows (the centre crop, or every position of the fully-convolutional form) at every test scale,
/// each with its boxes and class posterior; then, per class, the boxes of all windows mapped back to the image and
/// merged greedily, weighted by the class's posterior in their window. For one thread at a time.
/// </summary>
internal sealed class BoxLocaliser : IDisposable
{
    private readonly VggModel _localiser;
    private readonly VggModel? _classifier, _denseLocaliser, _denseClassifier;
    private readonly EvaluationTransform _transform, _classifierTransform;
    private readonly LocalisationEvaluationOptions _options;
    private readonly bool _perClass;
    private Tensor? _deviceInput, _classifierInput;

    public BoxLocaliser(VggModel localiser, VggModel? classifier, int classes, LocalisationEvaluationOptions options)
    {
        options.Validate();
        if (localiser.IsFullyConvolutional || classifier?.IsFullyConvolutional == true)
            throw new ArgumentException("Pass the networks in their ordinary form; the dense protocol converts them itself.");
        int outputs = localiser.Options.Classes;
        if (outputs != BoxEncoding.Length && outputs != BoxEncoding.Length * classes)
            throw new ArgumentException($"The localisation network has {outputs} outputs: a box head for {classes} classes has 4 (SCR) or {4 * classes} (PCR).");
        _perClass = outputs != BoxEncoding.Length;
        if (classifier is not null)
        {
            if (classifier.Options.Classes != classes)
                throw new ArgumentException($"The classifier predicts {classifier.Options.Classes} classes; the data has {classes}.");
            if (classifier.Options.InputSize != localiser.Options.InputSize || classifier.Options.InputChannels != localiser.Options.InputChannels)
                throw new ArgumentException(
                    $"The classifier takes {classifier.Options.InputChannels}x{classifier.Options.InputSize} inputs and the localisation network {localiser.Options.InputChannels}x{localiser.Options.InputSize}; their windows must agree.");
        }
        (_localiser, _classifier, _options, Classes) = (localiser, classifier, options, classes);
        Scales = options.ScalesFor(localiser.Options);
        if (Scales.FirstOrDefault(q => q < localiser.Options.InputSize) is > 0 and var small)
            throw new ArgumentException($"Test scale {small} is smaller than the input size {localiser.Options.InputSize}; every scale must hold a crop.");
        _transform = Transform(localiser);
        _classifierTransform = classifier is null ? _transform : Transform(classifier);
        if (options.Protocol == LocalisationProtocol.Dense)
        {
            _denseLocaliser = localiser.ToFullyConvolutional();
            _denseClassifier = classifier?.ToFullyConvolutional();
        }
    }

    /// <summary>The classes of the data.</summary>
    public int Classes { get; }

    /// <summary>The test scales.</summary>
    public int[] Scales { get; }

    /// <summary>Whether a classifier gives the windows' posteriors.</summary>
    public bool HasClassifier => _classifier is not null;

    /// <summary>The windows of <paramref name="image"/> at every scale.</summary>
    public List<LocalisationWindow> Windows(DecodedImage image)
    {
        var windows = new List<LocalisationWindow>();
        foreach (int scale in Scales)
        {
            var rescaled = _transform.Rescale(image, scale);
            if (_options.Protocol == LocalisationProtocol.Centre) windows.Add(CentreWindow(rescaled, scale));
            else DenseWindows(rescaled, scale, windows);
        }
        return windows;
    }

    /// <summary>The image's class posterior: the mean of its windows' (null without a classifier).</summary>
    public float[]? Posterior(IReadOnlyList<LocalisationWindow> windows)
    {
        if (_classifier is null) return null;
        var mean = new double[Classes];
        foreach (var window in windows)
            for (int c = 0; c < Classes; c++) mean[c] += window.Posterior![c];
        return mean.Select(v => (float)(v / windows.Count)).ToArray();
    }

    /// <summary>
    /// The box for class <paramref name="label"/> in the image's pixels (<paramref name="width"/> x <paramref name="height"/>):
    /// every window's box for it, weighted by the class's posterior in that window, merged; the most confident merged box.
    /// </summary>
    public ClassBox Answer(IReadOnlyList<LocalisationWindow> windows, int label, int width, int height, float[]? posterior)
    {
        int offset = _perClass ? BoxEncoding.Length * label : 0, size = _localiser.Options.InputSize;
        var candidates = windows.Select(w => new ScoredBox(
            BoxGeometry.FromCrop(BoxEncoding.Decode(w.Outputs.AsSpan(offset, BoxEncoding.Length), size), width, height, w.Scale, w.Region, flipped: false),
            w.Posterior?[label] ?? 1)).ToList();
        var merged = GreedyBoxMerge.Merge(candidates, _options.MergeThreshold);
        // Boxes of zero confidence or area take no part in merging; with nothing else, the first window's stands.
        var best = merged.Count > 0 ? merged[0] : candidates[0];
        return new ClassBox(label, posterior?[label] ?? 1, best.Box, best.Score);
    }

    private LocalisationWindow CentreWindow(FloatImage rescaled, int scale)
    {
        var region = EvaluationCrops.Centre(rescaled.Width, rescaled.Height, _transform.CropSize);
        using var input = new Tensor(_localiser.InputShape(1));
        _transform.Crop(rescaled, region, flip: false, input.Span);
        float[] outputs = Forward(_localiser, input, ref _deviceInput);
        float[]? posterior = null;
        if (_classifier is not null)
        {
            _classifierTransform.Crop(rescaled, region, flip: false, input.Span);
            posterior = Forward(_classifier, input, ref _classifierInput);
            Softmax(posterior, 0, 1, posterior.Length);
        }
        return new LocalisationWindow(scale, region, outputs, posterior);
    }

    private void DenseWindows(FloatImage rescaled, int scale, List<LocalisationWindow> windows)
    {
        using var input = _transform.Whole(rescaled, flip: false);
        var (boxes, rows, columns) = DenseMap(_denseLocaliser!, input);
        float[]? scores = null;
        if (_denseClassifier is not null)
        {
            using var classifierInput = _classifierTransform.Whole(rescaled, flip: false);
            (scores, int classifierRows, int classifierColumns) = DenseMap(_denseClassifier, classifierInput);
            if (classifierRows != rows || classifierColumns != columns)
                throw new InvalidOperationException($"The classifier's score map is {classifierRows}x{classifierColumns}, the box map {rows}x{columns}; they must agree.");
            for (int p = 0; p < rows * columns; p++) Softmax(scores, p, rows * columns, Classes);
        }
        int size = _transform.CropSize, outputs = _localiser.Options.Classes, area = rows * columns;
        // Position (i, j) of the map is the window whose fully-connected layers it computed: one stride of the feature
        // maps apart (2 to the number of poolings: 32 pixels in VGG), the last windows kept inside the image.
        int stride = 1 << _localiser.Configuration.PoolCount;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                var region = new PixelRegion(Math.Min(j * stride, rescaled.Width - size), Math.Min(i * stride, rescaled.Height - size), size, size);
                var windowOutputs = new float[outputs];
                for (int k = 0; k < outputs; k++) windowOutputs[k] = boxes[k * area + i * columns + j];
                float[]? posterior = null;
                if (scores is not null)
                {
                    posterior = new float[Classes];
                    for (int c = 0; c < Classes; c++) posterior[c] = scores[c * area + i * columns + j];
                }
                windows.Add(new LocalisationWindow(scale, region, windowOutputs, posterior));
            }
        }
    }

    private static float[] Forward(VggModel model, Tensor input, ref Tensor? deviceInput) =>
        model.Forward(model.Network.Backend.OnDevice(input, ref deviceInput), ForwardContext.Inference).ToArray();

    private static (float[] Map, int Rows, int Columns) DenseMap(VggModel dense, Tensor input)
    {
        // Whole images differ in size: each gets its own device copy (none on the host).
        Tensor? buffer = null;
        try
        {
            var output = dense.Forward(dense.Network.Backend.OnDevice(input, ref buffer), ForwardContext.Inference);
            return (output.ToArray(), output.Shape.H, output.Shape.W);
        }
        finally
        {
            buffer?.Dispose();
        }
    }

    /// <summary>Softmax, in place, of the <paramref name="count"/> values at <paramref name="start"/>, <paramref name="stride"/> apart (a score map's channels at one position).</summary>
    private static void Softmax(float[] values, int start, int stride, int count)
    {
        double max = double.NegativeInfinity, sum = 0;
        for (int c = 0; c < count; c++) max = Math.Max(max, values[start + c * stride]);
        for (int c = 0; c < count; c++) sum += Math.Exp(values[start + c * stride] - max);
        for (int c = 0; c < count; c++) values[start + c * stride] = (float)(Math.Exp(values[start + c * stride] - max) / sum);
    }

    private static EvaluationTransform Transform(VggModel model) =>
        new(model.Options.InputSize, model.Options.InputChannels, model.Options.EffectivePreprocessing);

    public void Dispose()
    {
        _denseLocaliser?.Dispose();
        _denseClassifier?.Dispose();
        _deviceInput?.Dispose();
        _classifierInput?.Dispose();
    }
}

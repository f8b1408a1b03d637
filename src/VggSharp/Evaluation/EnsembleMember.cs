using VggSharp.Data.Transforms;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Evaluation;

/// <summary>
/// One model of an evaluation: its own transform (input size and preprocessing), test scales, a reusable batch of
/// crops, and its fully-convolutional form when the protocol is dense. Turns rescaled images into softmax posteriors.
/// </summary>
internal sealed class EnsembleMember : IDisposable
{
    /// <summary>Crops per side of the multi-crop grid (5x5, as in the paper).</summary>
    private const int GridSide = 5;

    /// <summary>Crops per image and scale in multi-crop evaluation: the grid and its flips.</summary>
    public const int MultiCropViews = 2 * GridSide * GridSide;

    private readonly VggModel _model;
    private readonly VggModel? _dense;
    private readonly EvaluationProtocol _protocol;
    private readonly int _batchSize;
    private readonly ParallelOptions _parallel;
    /// <summary>
    /// Crops are cut in host memory, then copied to the model's device (into <see cref="_deviceInput"/>) when it has one,
    /// once per forward pass; the pass's logits come back once, into <see cref="_hostLogits"/>, and the softmax runs on the host.
    /// </summary>
    private Tensor? _cropBatch, _deviceInput, _hostLogits, _probabilities;

    /// <summary>Prepares <paramref name="model"/> (the <paramref name="position"/>-th, for messages) for <paramref name="options"/>.</summary>
    public EnsembleMember(VggModel model, int position, EvaluationOptions options)
    {
        if (model.IsFullyConvolutional)
            throw new ArgumentException($"Model {position} is fully convolutional; pass the model it was made from, and the evaluator converts it for dense evaluation.");
        var modelOptions = model.Options;
        Scales = options.ScalesFor(modelOptions);
        int tooSmall = Scales.FirstOrDefault(q => q < modelOptions.InputSize);
        if (tooSmall != 0)
            throw new ArgumentException($"Test scale {tooSmall} is smaller than model {position}'s input size {modelOptions.InputSize}; every scale must hold a crop.");
        Transform = new EvaluationTransform(modelOptions.InputSize, modelOptions.InputChannels, modelOptions.EffectivePreprocessing);
        (_model, _protocol, _batchSize) = (model, options.Protocol, options.BatchSize);
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        if (_protocol is EvaluationProtocol.Dense or EvaluationProtocol.DenseAndMultiCrop) _dense = model.ToFullyConvolutional();
    }

    /// <summary>The fully-convolutional form, when the protocol is dense.</summary>
    public VggModel? DenseModel => _dense;

    /// <summary>The test scales this model runs at.</summary>
    public int[] Scales { get; }

    /// <summary>Rescales and cuts crops with this model's input size and preprocessing.</summary>
    public EvaluationTransform Transform { get; }

    /// <summary>Adds <paramref name="weight"/> times this model's posterior for image i (averaged over its scales) to <paramref name="sums"/>[i].</summary>
    public void AddPosteriors(IReadOnlyList<RescaledImage> images, float weight, float[][] sums, CancellationToken cancellation)
    {
        float perScale = weight / Scales.Length;
        foreach (int scale in Scales)
        {
            var atScale = images.Select(image => image.At(scale)).ToList();
            switch (_protocol)
            {
                case EvaluationProtocol.Center:
                    AddCrops(atScale, grid: false, perScale, sums, cancellation);
                    break;
                case EvaluationProtocol.Dense:
                    AddDense(atScale, perScale, sums, cancellation);
                    break;
                case EvaluationProtocol.MultiCrop:
                    AddCrops(atScale, grid: true, perScale, sums, cancellation);
                    break;
                case EvaluationProtocol.DenseAndMultiCrop:
                    AddDense(atScale, perScale / 2, sums, cancellation);
                    AddCrops(atScale, grid: true, perScale / 2, sums, cancellation);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(_protocol), _protocol, "Unknown evaluation protocol.");
            }
        }
    }

    /// <summary>The centre crop of each image, or the 5x5 grid with each crop also flipped; crops of many images share a forward pass.</summary>
    private void AddCrops(List<FloatImage> images, bool grid, float weight, float[][] sums, CancellationToken cancellation)
    {
        var views = new List<View>();
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            if (!grid)
            {
                views.Add(new View(i, EvaluationCrops.Centre(image.Width, image.Height, Transform.CropSize), Flip: false));
                continue;
            }
            foreach (var region in EvaluationCrops.Grid(image.Width, image.Height, Transform.CropSize, GridSide))
            {
                views.Add(new View(i, region, Flip: false));
                views.Add(new View(i, region, Flip: true));
            }
        }
        float viewWeight = weight / (grid ? MultiCropViews : 1);
        _cropBatch ??= new Tensor(_model.InputShape(_batchSize));
        for (int start = 0; start < views.Count; start += _batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(_batchSize, views.Count - start);
            var input = _cropBatch.FirstItems(count);
            Parallel.For(0, count, _parallel, n =>
            {
                var view = views[start + n];
                Transform.Crop(images[view.Image], view.Region, view.Flip, input.Item(n));
            });
            var logits = _model.Forward(Backend.OnDevice(input, ref _deviceInput), ForwardContext.Inference);
            AddSoftmax(logits, views, start, viewWeight, sums);
        }
    }

    /// <summary>The fully-convolutional network over whole images and their flips, each view's class scores averaged over the score map.</summary>
    private void AddDense(List<FloatImage> images, float weight, float[][] sums, CancellationToken cancellation) =>
        RunDense(images, flips: true, _dense!.Network.Layers.Count,
            (averaged, views, start) => AddSoftmax(averaged, views, start, weight / 2, sums), cancellation);

    /// <summary>
    /// Appendix B's descriptor at one scale: the output of the dense network's first <paramref name="layerCount"/> layers
    /// averaged over its positions, over the image and (when <paramref name="flip"/>) its horizontal flip, times
    /// <paramref name="weight"/>, added to <paramref name="sums"/>[i] from <paramref name="offset"/> on. Needs the dense protocol.
    /// </summary>
    public void AddDenseFeatures(IReadOnlyList<RescaledImage> images, int scale, int layerCount, bool flip, float weight, float[][] sums, int offset,
        CancellationToken cancellation)
    {
        if (_dense is null) throw new InvalidOperationException("Dense features need a member prepared for the dense protocol.");
        float viewWeight = weight / (flip ? 2 : 1);
        RunDense(images.Select(image => image.At(scale)).ToList(), flip, layerCount, (averaged, views, start) =>
        {
            var values = averaged.Span;
            int channels = averaged.Shape[1];
            for (int n = 0; n < averaged.Shape[0]; n++)
            {
                var row = values.Slice(n * channels, channels);
                var sum = sums[views[start + n].Image].AsSpan(offset, channels);
                for (int c = 0; c < channels; c++) sum[c] += viewWeight * row[c];
            }
        }, cancellation);
    }

    /// <summary>The number of channels the dense network's first <paramref name="layerCount"/> layers give (a descriptor's length).</summary>
    public int DenseChannels(int layerCount)
    {
        var shape = new TensorShape(1, Transform.Channels, Transform.CropSize, Transform.CropSize);
        for (int i = 0; i < layerCount; i++) shape = _dense!.Network.Layers[i].OutputShape(shape);
        return shape[1];
    }

    /// <summary>
    /// Runs the dense network's first <paramref name="layerCount"/> layers over whole images (and their flips, each
    /// right after its image), giving <paramref name="sink"/> each batch's outputs averaged over their positions
    /// ([views, channels] in host memory), the views and the first one's index. Images of the same size share a forward
    /// pass, as many as hold no more pixels than a batch of crops, so activations stay within what a crop batch needs.
    /// </summary>
    private void RunDense(List<FloatImage> images, bool flips, int layerCount, Action<Tensor, List<View>, int> sink, CancellationToken cancellation)
    {
        var network = _dense!.Network;
        foreach (var group in Enumerable.Range(0, images.Count).GroupBy(i => (images[i].Width, images[i].Height)))
        {
            var (width, height) = group.Key;
            var whole = new PixelRegion(0, 0, width, height);
            var views = group.SelectMany(i => flips ? new[] { new View(i, whole, Flip: false), new View(i, whole, Flip: true) } : [new View(i, whole, Flip: false)]).ToList();
            long cropPixels = (long)_batchSize * Transform.CropSize * Transform.CropSize;
            int perBatch = (int)Math.Clamp(cropPixels / ((long)width * height), 1, views.Count);
            for (int start = 0; start < views.Count; start += perBatch)
            {
                cancellation.ThrowIfCancellationRequested();
                int count = Math.Min(perBatch, views.Count - start);
                using var input = new Tensor(count, Transform.Channels, height, width);
                Parallel.For(0, count, _parallel, n =>
                {
                    var view = views[start + n];
                    Transform.Crop(images[view.Image], view.Region, view.Flip, input.Item(n));
                });
                using var averaged = SpatialMean(network.Forward(Backend.OnDevice(input, ref _deviceInput), ForwardContext.Inference, layerCount));
                sink(averaged, views, start);
            }
        }
    }

    /// <summary>
    /// A map [N, channels, h, w] (class scores, or a hidden layer's outputs) averaged over its positions, in host memory:
    /// the paper's sum-pooling divided by the map's area, so that at the training size (a 1x1 map) class scores are
    /// exactly the plain network's logits.
    /// </summary>
    private static Tensor SpatialMean(Tensor map)
    {
        int count = map.Shape[0], channels = map.Shape[1], area = map.Shape[2] * map.Shape[3];
        float[] scores = map.ToArray();
        var averaged = new Tensor(count, channels);
        var means = averaged.Span;
        for (int row = 0; row < means.Length; row++)
        {
            double sum = 0;
            foreach (float score in scores.AsSpan(row * area, area)) sum += score;
            means[row] = (float)(sum / area);
        }
        return averaged;
    }

    /// <summary>
    /// Softmax of each row of <paramref name="logits"/> (view <paramref name="start"/> + n, on any device), added with
    /// <paramref name="weight"/> to its image's sum. Logits on a device are read back once and their softmax taken by
    /// the fast backend; a host model's backend takes its own.
    /// </summary>
    private void AddSoftmax(Tensor logits, List<View> views, int start, float weight, float[][] sums)
    {
        var scores = Backends.Fast.OnDevice(logits, ref _hostLogits);
        if (_probabilities is null || _probabilities.Shape != scores.Shape)
        {
            _probabilities?.Dispose();
            _probabilities = new Tensor(scores.Shape);
        }
        (Backend.Device.IsHost ? Backend : Backends.Fast).Softmax(scores, _probabilities);
        var values = _probabilities.Span;
        int classes = logits.Shape[1];
        for (int n = 0; n < logits.Shape[0]; n++)
        {
            var row = values.Slice(n * classes, classes);
            var sum = sums[views[start + n].Image];
            for (int c = 0; c < row.Length; c++) sum[c] += weight * row[c];
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _dense?.Dispose();
        _cropBatch?.Dispose();
        _deviceInput?.Dispose();
        _hostLogits?.Dispose();
        _probabilities?.Dispose();
    }

    private IBackend Backend => _model.Network.Backend;

    /// <summary>One network input cut from image <paramref name="Image"/> of the current list.</summary>
    private readonly record struct View(int Image, PixelRegion Region, bool Flip);
}

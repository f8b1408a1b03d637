using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Tensors;

namespace VggSharp.Models;

/// <summary>
/// A VGG network built from <see cref="VggOptions"/>: the convolutional part of its configuration, then the
/// fully-connected head (or, in the fully-convolutional form, the same head as 7x7 and 1x1 convolutions).
/// Layer names follow torchvision ("features.N", "classifier.N") so state keys interchange with PyTorch;
/// each layer also has a role in Caffe's naming ("conv3_2", "pool3", "fc6").
/// </summary>
public sealed class VggModel : IDisposable
{
    private readonly string[] _roles;

    private VggModel(VggOptions options, VggConfiguration configuration, bool fullyConvolutional, IBackend backend)
    {
        Options = options;
        Configuration = configuration;
        IsFullyConvolutional = fullyConvolutional;
        var (layers, roles) = VggLayerBuilder.Build(options, configuration, fullyConvolutional);
        _roles = roles;
        Network = new Sequential(layers, backend);
    }

    /// <summary>
    /// The scheme <see cref="Create"/> draws weights with unless told otherwise, and the trainer's default: Glorot's,
    /// which the paper notes trains deep nets from scratch, where its own N(0, 0.01²) needed a shallower net's weights.
    /// </summary>
    public const InitScheme DefaultInitScheme = InitScheme.Glorot;

    /// <summary>The seed <see cref="Create"/> draws weights from unless told otherwise.</summary>
    public const ulong DefaultSeed = 1;

    /// <summary>
    /// Builds a network with weights drawn by <paramref name="scheme"/> from <paramref name="seed"/>, ready to train
    /// (see <see cref="Initialize"/>). To load weights, use <see cref="Interop.WeightsFile"/>, which builds without drawing.
    /// </summary>
    public static VggModel Create(VggOptions options, IBackend? backend = null, InitScheme scheme = DefaultInitScheme, ulong seed = DefaultSeed)
    {
        var model = CreateUninitialized(options, backend);
        try
        {
            model.Initialize(scheme, seed);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds a network with zero weights, for a caller that overwrites every one next (from a file, from another
    /// process) or needs only the layers and their shapes; drawing VGG-16's 138 million weights would be wasted there.
    /// </summary>
    public static VggModel CreateUninitialized(VggOptions options, IBackend? backend = null) =>
        new(options, options.Validate(), fullyConvolutional: false, backend ?? Backends.Default);

    /// <summary>The options the network was built from.</summary>
    public VggOptions Options { get; }

    /// <summary>The parsed configuration.</summary>
    public VggConfiguration Configuration { get; }

    /// <summary>True for the fully-convolutional form (dense evaluation), whose output is a class score map.</summary>
    public bool IsFullyConvolutional { get; }

    /// <summary>The layers.</summary>
    public Sequential Network { get; }

    /// <summary>Each layer's role in Caffe's naming, parallel to <see cref="Sequential.Layers"/>.</summary>
    public IReadOnlyList<string> LayerRoles => _roles;

    /// <summary>The number of trainable parameters.</summary>
    public long ParameterCount => Network.ParameterCount;

    /// <summary>The input shape of a batch at the training input size.</summary>
    public TensorShape InputShape(int batch) => new(batch, Options.InputChannels, Options.InputSize, Options.InputSize);

    /// <summary>The layer with a Caffe-style role ("conv1_1", "fc6"), or null.</summary>
    public Layer? FindLayer(string role)
    {
        int i = Array.IndexOf(_roles, role);
        return i < 0 ? null : Network.Layers[i];
    }

    /// <summary>Runs the network; the result belongs to the network and is overwritten by the next call.</summary>
    public Tensor Forward(Tensor input, ForwardContext context) => Network.Forward(input, context);

    /// <summary>Backpropagates the gradient of the output, adding to every parameter's gradient.</summary>
    public void Backward(Tensor gradOutput) => Network.Backward(gradOutput);

    /// <summary>The state with torchvision keys, in layer order.</summary>
    public IEnumerable<StateEntry> State() => Network.State();

    /// <summary>Draws every parameter afresh; batch norm gets weight 1, bias 0 and reset statistics.</summary>
    public void Initialize(InitScheme scheme, ulong seed) => Initializer.Apply(this, scheme, seed);

    /// <summary>
    /// The fully-convolutional form for dense evaluation (section 3.2 of the paper): the first fully-connected layer
    /// becomes a convolution whose kernel covers the final feature map (7x7 at 224), the other two 1x1 convolutions,
    /// all with this model's weights, byte for byte. On the training input size its output is [N, classes, 1, 1]
    /// with the same logits; on a larger input, a class score map.
    /// </summary>
    public VggModel ToFullyConvolutional(IBackend? backend = null)
    {
        if (IsFullyConvolutional) throw new InvalidOperationException("The model is already fully convolutional.");
        var dense = new VggModel(Options, Configuration, fullyConvolutional: true, backend ?? Network.Backend);
        var source = State().ToDictionary(e => e.Key);
        foreach (var target in dense.State())
        {
            var from = source[target.Key];
            if (from.ByteLength != target.ByteLength)
                throw new InvalidOperationException($"{target.Key}: {from.ByteLength} bytes cannot become {target.ByteLength}.");
            target.CopyFrom(from);
        }
        return dense;
    }

    /// <summary>
    /// Moves the model to <paramref name="backend"/> (its parameters and buffers are copied to the backend's device when
    /// that differs); see <see cref="Sequential.Backend"/>. Create optimizers after the move.
    /// </summary>
    public void MoveTo(IBackend backend) => Network.Backend = backend;

    /// <summary>The spatial size of the last feature map for a square input of <paramref name="inputSize"/>.</summary>
    public int FeatureMapSize(int inputSize) => VggLayerBuilder.FeatureMapSize(Configuration, inputSize);

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();
}

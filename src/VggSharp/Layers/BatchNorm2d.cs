using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// Batch normalisation over the channels of NCHW activations, as in torchvision's *_bn models: affine weight and
/// bias, running mean and variance (momentum 0.1, eps 1e-5) and num_batches_tracked. Training mode normalises with
/// the batch's statistics and updates the running ones; evaluation mode uses the running ones.
/// </summary>
public sealed class BatchNorm2d : Layer
{
    private readonly long[] _batchesTracked = [0];
    private Tensor? _input, _output, _gradInput;
    private bool _lastWasTraining;

    /// <summary>Creates a layer with weight 1, bias 0, running mean 0 and running variance 1.</summary>
    public BatchNorm2d(string name, int channels, float epsilon = 1e-5f, float momentum = 0.1f) : base(name)
    {
        if (channels <= 0) throw new ArgumentException($"BatchNorm2d {name}: channel count must be positive.");
        (Channels, Epsilon, Momentum) = (channels, epsilon, momentum);
        var shape = new TensorShape(channels);
        Weight = new Parameter("weight", shape, decays: false);
        Bias = new Parameter("bias", shape, decays: false);
        RunningMean = new Tensor(shape);
        RunningVariance = new Tensor(shape);
        SavedMean = new Tensor(shape);
        SavedInverseStd = new Tensor(shape);
        ResetStatistics();
        Weight.Value.Span.Fill(1f);
    }

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public float Epsilon { get; }

    /// <summary>Weight of the current batch in the running statistics.</summary>
    public float Momentum { get; }

    /// <summary>Scale (gamma).</summary>
    public Parameter Weight { get; }

    /// <summary>Shift (beta).</summary>
    public Parameter Bias { get; }

    /// <summary>Running mean of each channel.</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running (unbiased) variance of each channel.</summary>
    public Tensor RunningVariance { get; }

    /// <summary>Training batches seen so far.</summary>
    public long BatchesTracked => _batchesTracked[0];

    private Tensor SavedMean { get; }

    private Tensor SavedInverseStd { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [Weight, Bias];

    /// <inheritdoc />
    public override IEnumerable<StateEntry> State() => base.State().Concat(
    [
        new StateEntry("running_mean", RunningMean, trainable: false),
        new StateEntry("running_var", RunningVariance, trainable: false),
        new StateEntry("num_batches_tracked", _batchesTracked),
    ]);

    /// <summary>Running mean 0, running variance 1, no batches tracked.</summary>
    public void ResetStatistics()
    {
        RunningMean.Clear();
        RunningVariance.Span.Fill(1f);
        _batchesTracked[0] = 0;
    }

    /// <inheritdoc />
    public override TensorShape OutputShape(TensorShape input) =>
        input.Rank == 4 && input.C == Channels ? input
            : throw new ArgumentException($"{Name} (BatchNorm2d {Channels}) expects [N, {Channels}, H, W] input, got {input}.");

    /// <inheritdoc />
    public override string Describe() => $"BatchNorm2d {Channels}";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, ForwardContext context)
    {
        _input = input;
        _lastWasTraining = context.Training;
        var output = Reuse(ref _output, OutputShape(input.Shape));
        if (context.Training)
        {
            Backend.BatchNormForwardTraining(input, Weight.Value, Bias.Value, RunningMean, RunningVariance, Momentum, Epsilon,
                output, SavedMean, SavedInverseStd);
            _batchesTracked[0]++;
        }
        else
        {
            Backend.BatchNormForwardInference(input, Weight.Value, Bias.Value, RunningMean, RunningVariance, Epsilon, output);
        }
        return output;
    }

    /// <inheritdoc />
    public override Tensor? Backward(Tensor gradOutput, bool computeInputGradient)
    {
        var input = Saved(_input, Name);
        if (!_lastWasTraining) throw new InvalidOperationException($"{Name}: backward needs a training-mode forward pass.");
        var gradInput = Reuse(ref _gradInput, input.Shape);
        Backend.BatchNormBackward(input, gradOutput, Weight.Value, SavedMean, SavedInverseStd, gradInput, Weight.Gradient, Bias.Gradient);
        return computeInputGradient ? gradInput : null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var t in new[] { RunningMean, RunningVariance, SavedMean, SavedInverseStd, _output, _gradInput }) t?.Dispose();
    }
}

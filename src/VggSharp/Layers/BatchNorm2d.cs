using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// Batch normalisation over the channels of NCHW activations, as in torchvision's *_bn models: affine weight and
/// bias, running mean and variance (momentum 0.1, eps 1e-5) and num_batches_tracked. Training mode normalises with
/// the batch's statistics and updates the running ones; evaluation mode uses the running ones. With a
/// <see cref="Reduction"/>, training mode normalises with the statistics of a batch spread over several processes.
/// </summary>
public sealed class BatchNorm2d : Layer
{
    private readonly long[] _batchesTracked = [0];
    private Tensor? _input, _output, _gradInput;
    private bool _lastWasTraining, _lastWasSynchronised;
    private double[]? _sums;
    private float[]? _hostStatistics;

    /// <summary>The synchronised passes' per-channel sums and count, summed across processes.</summary>
    private double[] Sums => _sums ??= new double[2 * Channels + 1];
    private long _globalCount;

    /// <summary>
    /// Host copies of four per-channel vectors, in which a synchronised pass forms statistics and gradients next to the
    /// sums that went through the host reduction; copied to and from the layer's tensors on any device.
    /// </summary>
    private float[] HostStatistics => _hostStatistics ??= new float[4 * Channels];

    /// <summary>The epsilon added to the variance unless another is given: PyTorch's, which VggSharp's models use.</summary>
    public const float DefaultEpsilon = 1e-5f;

    /// <summary>Creates a layer with weight 1, bias 0, running mean 0 and running variance 1.</summary>
    public BatchNorm2d(string name, int channels, float epsilon = DefaultEpsilon, float momentum = 0.1f) : base(name)
    {
        if (channels <= 0) throw new ArgumentException($"BatchNorm2d {name}: channel count must be positive.");
        (Channels, Epsilon, Momentum) = (channels, epsilon, momentum);
        var shape = new TensorShape(channels);
        Weight = new Parameter("weight", shape, decays: false);
        Bias = new Parameter("bias", shape, decays: false);
        // Built in host memory, as parameters are; a network moves the layer to its backend's device.
        RunningMean = new Tensor(shape);
        RunningVariance = new Tensor(shape);
        SavedMean = new Tensor(shape);
        SavedInverseStd = new Tensor(shape);
        ResetStatistics();
        Weight.Value.CopyFrom(Ones());
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
    public Tensor RunningMean { get; private set; }

    /// <summary>Running (unbiased) variance of each channel.</summary>
    public Tensor RunningVariance { get; private set; }

    /// <summary>
    /// When set, training-mode passes normalise with the mean and variance of the global batch, whose parts other
    /// processes hold: the per-channel sums are added up through this reduction (two in forward, one in backward), and
    /// the input gradient uses the global batch's sums too, so N processes compute what one would with the whole batch.
    /// Parameter gradients stay this process's share, for the data-parallel gradient sum to add. Null: each batch's own.
    /// </summary>
    public IStatisticsReduction? Reduction { get; set; }

    /// <summary>Training batches seen so far.</summary>
    public long BatchesTracked => _batchesTracked[0];

    private Tensor SavedMean { get; set; }

    private Tensor SavedInverseStd { get; set; }

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
        RunningVariance.CopyFrom(Ones());
        _batchesTracked[0] = 0;
    }

    private float[] Ones()
    {
        var ones = new float[Channels];
        ones.AsSpan().Fill(1f);
        return ones;
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
        _lastWasSynchronised = context.Training && Reduction is not null;
        var output = Reuse(ref _output, OutputShape(input.Shape));
        if (_lastWasSynchronised)
        {
            ForwardSynchronised(input, output);
        }
        else if (context.Training)
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
        if (_lastWasSynchronised) BackwardSynchronised(input, gradOutput, gradInput);
        else Backend.BatchNormBackward(input, gradOutput, Weight.Value, SavedMean, SavedInverseStd, gradInput, Weight.Gradient, Bias.Gradient);
        return computeInputGradient ? gradInput : null;
    }

    /// <summary>
    /// This process's part in a synchronised forward pass in which it has no samples: it adds nothing to the sums but
    /// takes part in the reductions and updates the running statistics like the others, so replicas stay identical.
    /// </summary>
    internal void ForwardWithoutSamples()
    {
        if (Reduction is null) throw new InvalidOperationException($"{Name} is not synchronised across processes.");
        ForwardSynchronised(null, null);
        _lastWasTraining = _lastWasSynchronised = true;
    }

    /// <summary>This process's part in the backward pass that follows <see cref="ForwardWithoutSamples"/>.</summary>
    internal void BackwardWithoutSamples()
    {
        if (Reduction is null) throw new InvalidOperationException($"{Name} is not synchronised across processes.");
        BackwardSynchronised(null, null, null);
    }

    /// <summary>Normalises with the global batch's statistics: its mean first, then its variance around that mean, as one process would.</summary>
    private void ForwardSynchronised(Tensor? input, Tensor? output)
    {
        var sums = Sums.AsSpan();
        var means = sums[..(Channels + 1)];
        if (input is null)
        {
            means.Clear();
        }
        else
        {
            Backend.BatchNormSums(input, null, means[..Channels]);
            means[Channels] = (double)input.Shape.N * (input.Shape.ItemSize / Channels);
        }
        Reduction!.Sum(means);
        long count = (long)means[Channels];
        var host = HostStatistics.AsSpan();
        Span<float> savedMean = host[..Channels], inverseStd = host.Slice(Channels, Channels);
        Span<float> runningMean = host.Slice(2 * Channels, Channels), runningVariance = host.Slice(3 * Channels, Channels);
        for (int c = 0; c < Channels; c++) savedMean[c] = (float)(means[c] / count);
        SavedMean.CopyFrom(savedMean);

        var squares = sums.Slice(Channels + 1, Channels);
        if (input is null) squares.Clear();
        else Backend.BatchNormSums(input, SavedMean, squares);
        Reduction.Sum(squares);
        RunningMean.CopyTo(runningMean);
        RunningVariance.CopyTo(runningVariance);
        for (int c = 0; c < Channels; c++)
            inverseStd[c] = BatchNormStatistics.Update(means[c] / count, squares[c], count, Momentum, Epsilon, ref runningMean[c], ref runningVariance[c]);
        SavedInverseStd.CopyFrom(inverseStd);
        RunningMean.CopyFrom(runningMean);
        RunningVariance.CopyFrom(runningVariance);
        if (input is not null) Backend.BatchNormNormalize(input, Weight.Value, Bias.Value, SavedMean, SavedInverseStd, output!);
        _globalCount = count;
        _batchesTracked[0]++;
    }

    private void BackwardSynchronised(Tensor? input, Tensor? gradOutput, Tensor? gradInput)
    {
        var sums = Sums.AsSpan(0, 2 * Channels);
        if (input is null)
        {
            sums.Clear();
        }
        else
        {
            Backend.BatchNormGradientSums(input, gradOutput!, SavedMean, sums);
            var host = HostStatistics.AsSpan();
            Span<float> gradWeight = host[..Channels], gradBias = host.Slice(Channels, Channels), inverseStd = host.Slice(2 * Channels, Channels);
            Weight.Gradient.CopyTo(gradWeight);
            Bias.Gradient.CopyTo(gradBias);
            SavedInverseStd.CopyTo(inverseStd);
            for (int c = 0; c < Channels; c++)
            {
                gradWeight[c] += (float)(sums[Channels + c] * inverseStd[c]);
                gradBias[c] += (float)sums[c];
            }
            Weight.Gradient.CopyFrom(gradWeight);
            Bias.Gradient.CopyFrom(gradBias);
        }
        Reduction!.Sum(sums);
        if (input is not null) Backend.BatchNormBackwardData(input, gradOutput!, Weight.Value, SavedMean, SavedInverseStd, sums, _globalCount, gradInput!);
    }

    /// <inheritdoc />
    protected override void MoveBuffers(IBackend backend)
    {
        RunningMean = Moved(RunningMean, backend);
        RunningVariance = Moved(RunningVariance, backend);
        SavedMean = Moved(SavedMean, backend);
        SavedInverseStd = Moved(SavedInverseStd, backend);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var t in new[] { RunningMean, RunningVariance, SavedMean, SavedInverseStd, _output, _gradInput }) t?.Dispose();
    }
}

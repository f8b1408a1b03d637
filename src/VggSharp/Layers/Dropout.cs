using VggSharp.Randomness;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// Inverted dropout: in training, each element is zeroed with probability <see cref="Probability"/> and the rest are
/// scaled by 1/(1-p); in evaluation it is the identity. The mask of each sample is drawn from
/// (seed, step, layer, the sample's global index), so it does not depend on how a batch is split.
/// Works in place on its input.
/// </summary>
public sealed class Dropout : Layer
{
    private Tensor? _mask;
    private ulong[] _sampleKeys = [];
    private bool _lastWasTraining;

    /// <summary>Creates a dropout layer.</summary>
    public Dropout(string name, float probability) : base(name)
    {
        if (!(probability >= 0f && probability < 1f)) throw new ArgumentException($"Dropout {name}: probability must be in [0, 1), got {probability}.");
        Probability = probability;
    }

    /// <summary>Probability of zeroing an element.</summary>
    public float Probability { get; }

    /// <inheritdoc />
    public override TensorShape OutputShape(TensorShape input) => input;

    /// <inheritdoc />
    public override string Describe() => $"Dropout p={Probability}";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, ForwardContext context)
    {
        _lastWasTraining = context.Training && Probability > 0f;
        if (!_lastWasTraining) return input;
        var mask = Reuse(ref _mask, input.Shape, TensorFormat.Float32);
        FillMask(mask, context);
        Backend.Multiply(input, mask, input);
        return input;
    }

    /// <inheritdoc />
    public override Tensor? Backward(Tensor gradOutput, bool computeInputGradient)
    {
        if (!computeInputGradient) return null;
        if (_lastWasTraining) Backend.Multiply(gradOutput, _mask!, gradOutput);
        return gradOutput;
    }

    /// <summary>Forms each sample's key on the host and has the backend draw the mask from them.</summary>
    private void FillMask(Tensor mask, ForwardContext context)
    {
        ulong layerStream = (ulong)(uint)Name.GetHashCodeStable();
        if (_sampleKeys.Length != mask.Shape.N) _sampleKeys = new ulong[mask.Shape.N];
        for (int n = 0; n < _sampleKeys.Length; n++)
            _sampleKeys[n] = CounterRandom.Key(context.Seed, layerStream, (ulong)context.Step, (ulong)context.SampleIndex(n));
        Backend.DropoutMask(mask, Probability, _sampleKeys);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => _mask?.Dispose();
}

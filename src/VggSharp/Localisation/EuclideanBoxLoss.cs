using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Localisation;

/// <summary>
/// The paper's localisation loss: the Euclidean loss between the predicted box and the ground truth, for each sample
/// L = ½ Σ (p_k − t_k)² over the 4 values of the box of its ground-truth class (PCR) or the one box (SCR), so the
/// gradient is p − t on those outputs and 0 on the others. Computed on the host (the box head has a handful of outputs
/// per sample); the gradient is written into a tensor on the backend's device.
/// </summary>
public sealed class EuclideanBoxLoss(IBackend backend, LocalisationObjective objective, int cropSize) : IDisposable
{
    private Tensor? _gradient;
    private float[] _predictions = [], _gradientHost = [];
    private readonly float[] _totals = new float[2];

    /// <summary>The gradient of the last call with respect to the predictions, on the backend's device.</summary>
    public Tensor Gradient => _gradient ?? throw new InvalidOperationException("No loss computed yet.");

    /// <summary>
    /// Computes the loss of <paramref name="predictions"/> [N, outputs] against <paramref name="targets"/> (4 encoded
    /// values per sample) for the samples' <paramref name="labels"/>, and its gradient weighted by
    /// <paramref name="share"/> / N (the pass's part of the step's mean loss, as <c>SoftmaxCrossEntropyLoss</c> does).
    /// Adds the loss sum and the number of boxes with an intersection over union above 0.5 to <paramref name="totals"/> [2].
    /// </summary>
    public void Compute(Tensor predictions, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, float share, Tensor totals)
    {
        int n = predictions.Shape.N, outputs = predictions.Shape.ItemSize;
        if (labels.Length != n || targets.Length != n * BoxEncoding.Length)
            throw new ArgumentException($"{n} predictions, {labels.Length} labels and {targets.Length / BoxEncoding.Length} boxes do not match.");
        if (_gradient is null || _gradient.Shape != predictions.Shape || _gradient.Device != backend.Device)
        {
            _gradient?.Dispose();
            _gradient = backend.Allocate(predictions.Shape);
            _predictions = new float[n * outputs];
            _gradientHost = new float[n * outputs];
        }
        predictions.CopyTo(_predictions);
        var (loss, correct) = Evaluate(_predictions, outputs, labels, targets, share / n, _gradientHost);
        _gradient.CopyFrom(_gradientHost);
        totals.CopyTo(_totals);
        _totals[0] += (float)loss;
        _totals[1] += correct;
        totals.CopyFrom(_totals);
    }

    /// <summary>
    /// The loss sum over the samples of <paramref name="predictions"/> (<paramref name="outputs"/> values each), the
    /// number whose box has an intersection over union above 0.5 with the target, and the gradient times
    /// <paramref name="scale"/> into <paramref name="gradient"/>.
    /// </summary>
    internal (double Loss, int Correct) Evaluate(ReadOnlySpan<float> predictions, int outputs, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets,
        float scale, Span<float> gradient)
    {
        gradient.Clear();
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int offset = objective.BoxOffset(labels[i]);
            if (offset + BoxEncoding.Length > outputs)
                throw new ArgumentException($"Label {labels[i]} has no box among the head's {outputs} outputs.");
            var predicted = predictions.Slice(i * outputs + offset, BoxEncoding.Length);
            var target = targets.Slice(i * BoxEncoding.Length, BoxEncoding.Length);
            double sample = 0;
            for (int k = 0; k < BoxEncoding.Length; k++)
            {
                double difference = (double)predicted[k] - target[k];
                sample += difference * difference;
                gradient[i * outputs + offset + k] = (float)(scale * difference);
            }
            loss += 0.5 * sample;
            if (BoxEncoding.Decode(predicted, cropSize).IntersectionOverUnion(BoxEncoding.Decode(target, cropSize)) > 0.5) correct++;
        }
        return (loss, correct);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gradient?.Dispose();
        _gradient = null;
    }
}

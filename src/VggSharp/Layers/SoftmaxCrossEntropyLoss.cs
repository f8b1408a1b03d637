using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// Softmax followed by the mean multinomial logistic (cross-entropy) loss, with its gradient. The loss is not returned
/// but added to a totals tensor on the backend's device, read back only when it is reported.
/// </summary>
public sealed class SoftmaxCrossEntropyLoss(IBackend backend) : IDisposable
{
    private Tensor? _probabilities, _gradient, _totals;

    /// <summary>The softmax probabilities of the last call.</summary>
    public Tensor Probabilities => _probabilities ?? throw new InvalidOperationException("No loss computed yet.");

    /// <summary>The gradient of the mean loss with respect to the logits of the last call.</summary>
    public Tensor Gradient => _gradient ?? throw new InvalidOperationException("No loss computed yet.");

    /// <summary>
    /// Computes the mean loss of <paramref name="logits"/> [N, classes] against <paramref name="labels"/>, and its
    /// gradient. Reads the loss back from the device at once; a training loop uses the overload that keeps it there.
    /// </summary>
    public float Compute(Tensor logits, ReadOnlySpan<int> labels)
    {
        _totals ??= backend.Allocate(new TensorShape(2));
        _totals.Clear();
        Compute(logits, labels, 1f, _totals);
        Span<float> totals = stackalloc float[2];
        _totals.CopyTo(totals);
        return totals[0] / labels.Length;
    }

    /// <summary>
    /// Computes the gradient of the mean loss of <paramref name="logits"/> [N, classes] against <paramref name="labels"/>,
    /// weighted by <paramref name="share"/>, and adds the loss sum and the correct count to <paramref name="totals"/> [2]
    /// (see <see cref="IBackend.SoftmaxCrossEntropy"/>).
    /// </summary>
    public void Compute(Tensor logits, ReadOnlySpan<int> labels, float share, Tensor totals)
    {
        if (_probabilities is null || _probabilities.Shape != logits.Shape || _probabilities.Device != backend.Device)
        {
            _probabilities?.Dispose();
            _gradient?.Dispose();
            _probabilities = backend.Allocate(logits.Shape);
            _gradient = backend.Allocate(logits.Shape);
        }
        backend.SoftmaxCrossEntropy(logits, labels, _probabilities, _gradient!, share, totals);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _probabilities?.Dispose();
        _gradient?.Dispose();
        _probabilities = _gradient = null;
        _totals?.Dispose();
        _totals = null;
    }
}

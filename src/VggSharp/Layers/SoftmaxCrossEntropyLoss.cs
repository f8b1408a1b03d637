using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>Softmax followed by the mean multinomial logistic (cross-entropy) loss, with its gradient.</summary>
public sealed class SoftmaxCrossEntropyLoss(IBackend backend) : IDisposable
{
    private Tensor? _probabilities, _gradient;

    /// <summary>The softmax probabilities of the last call.</summary>
    public Tensor Probabilities => _probabilities ?? throw new InvalidOperationException("No loss computed yet.");

    /// <summary>The gradient of the mean loss with respect to the logits of the last call.</summary>
    public Tensor Gradient => _gradient ?? throw new InvalidOperationException("No loss computed yet.");

    /// <summary>Computes the mean loss of <paramref name="logits"/> [N, classes] against <paramref name="labels"/>, and its gradient.</summary>
    public float Compute(Tensor logits, ReadOnlySpan<int> labels)
    {
        if (_probabilities is null || _probabilities.Shape != logits.Shape)
        {
            Dispose();
            _probabilities = new Tensor(logits.Shape);
            _gradient = new Tensor(logits.Shape);
        }
        return backend.SoftmaxCrossEntropy(logits, labels, _probabilities, _gradient!);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _probabilities?.Dispose();
        _gradient?.Dispose();
        _probabilities = _gradient = null;
    }
}

using VggSharp.Layers;
using VggSharp.Tensors;

namespace VggSharp.Distributed;

/// <summary>
/// Gradients summed across ranks by one non-blocking operation: either one slice of one parameter's gradient, summed
/// where it lies (a chunk of a large layer in host memory), or several small gradients, or gradients on a device,
/// staged in a host buffer of the bucket's own: the sums go through the host.
/// </summary>
internal sealed class GradientBucket : IDisposable
{
    private readonly (Parameter Parameter, int Offset, int Count)[] _segments;
    private Tensor? _packed;
    private IPendingSum? _pending;

    public GradientBucket(IReadOnlyList<(Parameter Parameter, int Offset, int Count)> segments, int firstLayer)
    {
        if (segments.Count == 0) throw new ArgumentException("A bucket holds at least one gradient.", nameof(segments));
        _segments = [.. segments];
        FirstLayer = firstLayer;
        Count = _segments.Sum(s => s.Count);
    }

    /// <summary>The lowest layer index among the gradients: the bucket is complete once backward has passed that layer.</summary>
    public int FirstLayer { get; }

    /// <summary>The floats summed.</summary>
    public int Count { get; }

    public void Start(ICommunicator communicator)
    {
        if (_segments.Length == 1 && _segments[0].Parameter.Gradient.IsOnHost)
        {
            var (parameter, offset, count) = _segments[0];
            _pending = communicator.StartSum(parameter.Gradient, offset, count);
            return;
        }
        _packed ??= new Tensor(Count);
        var packed = _packed.Span;
        int position = 0;
        foreach (var (parameter, offset, count) in _segments)
        {
            Slice(parameter.Gradient, offset, count).CopyTo(packed.Slice(position, count));
            position += count;
        }
        _pending = communicator.StartSum(_packed, 0, Count);
    }

    public bool Poll() => _pending?.Poll() ?? false;

    /// <summary>Waits for the sum and leaves it in the gradients; the bucket is then ready for the next step.</summary>
    public void Finish()
    {
        if (_pending is null) throw new InvalidOperationException("The bucket's sum was never started.");
        _pending.Wait();
        _pending = null;
        if (_packed is null) return;
        var packed = _packed.Span;
        int position = 0;
        foreach (var (parameter, offset, count) in _segments)
        {
            Slice(parameter.Gradient, offset, count).CopyFrom(packed.Slice(position, count));
            position += count;
        }
    }

    /// <summary>Elements [offset, offset + count) of a gradient, as a view that copies to and from the host on any device.</summary>
    private static Tensor Slice(Tensor gradient, int offset, int count) => gradient.Reshaped(new TensorShape(gradient.Length)).Items(offset, count);

    public void Dispose() => _packed?.Dispose();
}

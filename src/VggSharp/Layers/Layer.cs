using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Layers;

/// <summary>
/// A layer of a sequential network, as in Caffe: Forward maps an input to an output, Backward maps the gradient of
/// the output to the gradient of the input and adds the gradients of the layer's parameters. Output and gradient
/// tensors are owned by the layer and reused from step to step while the input shape stays the same, so a training
/// step allocates nothing once warm. Backward must follow the Forward whose input it differentiates.
/// </summary>
public abstract class Layer : IDisposable
{
    private IBackend? _backend;

    /// <summary>Creates a layer with its key prefix (e.g. "features.0").</summary>
    protected Layer(string name) => Name = name;

    /// <summary>The key prefix of this layer's state, as in torchvision ("features.0", "classifier.3").</summary>
    public string Name { get; }

    /// <summary>The kernels this layer runs on; assigned by the network that holds it.</summary>
    public IBackend Backend
    {
        get => _backend ?? throw new InvalidOperationException($"Layer {Name} has no backend; add it to a network first.");
        set => _backend = value;
    }

    /// <summary>The trainable parameters (empty for parameter-free layers).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>The state entries with keys relative to this layer: the parameters, then any buffers.</summary>
    public virtual IEnumerable<StateEntry> State() => Parameters.Select(p => new StateEntry(p.Name, p.Value, trainable: true));

    /// <summary>The output shape for an input shape, or an exception naming what does not fit.</summary>
    public abstract TensorShape OutputShape(TensorShape input);

    /// <summary>Multiply-adds of one forward pass per batch item, for an input item of the given shape (batch 1).</summary>
    public virtual long MultiplyAdds(TensorShape input) => 0;

    /// <summary>A one-line description, e.g. "Conv2d 3→64, 3x3, pad 1".</summary>
    public abstract string Describe();

    /// <summary>Computes the output. The returned tensor belongs to the layer (or is the input itself for in-place layers).</summary>
    public abstract Tensor Forward(Tensor input, ForwardContext context);

    /// <summary>
    /// Adds parameter gradients and, when <paramref name="computeInputGradient"/> is true, returns the gradient of the
    /// input (owned by the layer, or <paramref name="gradOutput"/> itself for in-place layers); otherwise null.
    /// </summary>
    public abstract Tensor? Backward(Tensor gradOutput, bool computeInputGradient);

    /// <summary>
    /// An activation buffer (an output or an input gradient) in the backend's <see cref="IBackend.ActivationFormat"/>:
    /// see <see cref="Reuse(ref Tensor?, TensorShape, TensorFormat)"/>.
    /// </summary>
    protected Tensor Reuse(ref Tensor? buffer, TensorShape shape) => Reuse(ref buffer, shape, Backend.ActivationFormat(shape));

    /// <summary>
    /// Returns <paramref name="buffer"/> if it has <paramref name="shape"/> and <paramref name="format"/> and lives on the
    /// backend's device, else replaces it with a new tensor from <see cref="Backend"/> (so a network moved to another
    /// device drops its old work buffers as it next uses them).
    /// </summary>
    protected Tensor Reuse(ref Tensor? buffer, TensorShape shape, TensorFormat format)
    {
        if (buffer is not null && buffer.Shape == shape && buffer.Format == format && buffer.Device == Backend.Device) return buffer;
        buffer?.Dispose();
        buffer = Backend.Allocate(shape, format);
        return buffer;
    }

    /// <summary>Moves the parameters and buffers that outlive a step to <paramref name="backend"/>'s device (nothing moves when they are there already).</summary>
    internal void MoveTo(IBackend backend)
    {
        foreach (var p in Parameters) p.MoveTo(backend);
        MoveBuffers(backend);
    }

    /// <summary>Moves the layer's own lasting buffers (running statistics and the like) to <paramref name="backend"/>'s device.</summary>
    protected virtual void MoveBuffers(IBackend backend) { }

    /// <summary>A copy of <paramref name="tensor"/> on <paramref name="backend"/>'s device, disposing the original; the tensor itself when it is there already.</summary>
    internal static Tensor Moved(Tensor tensor, IBackend backend)
    {
        if (tensor.Device == backend.Device) return tensor;
        var moved = backend.Allocate(tensor.Shape);
        moved.CopyFrom(tensor);
        tensor.Dispose();
        return moved;
    }

    /// <summary>The input of the last forward pass, or an error if Backward comes first.</summary>
    protected static Tensor Saved(Tensor? input, string name) =>
        input ?? throw new InvalidOperationException($"Backward on {name} before Forward.");

    /// <summary>Frees the layer's tensors.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees parameters and buffers.</summary>
    protected virtual void Dispose(bool disposing)
    {
        foreach (var p in Parameters) p.Dispose();
    }
}

using VggSharp.Layers;
using VggSharp.Tensors;

namespace VggSharp.Models;

/// <summary>One row of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">The layer's torchvision key prefix ("features.0").</param>
/// <param name="Role">The layer's Caffe-style role ("conv1_1").</param>
/// <param name="Description">What the layer computes.</param>
/// <param name="OutputShape">Its output shape for one image.</param>
/// <param name="Parameters">Its trainable parameters.</param>
/// <param name="MultiplyAdds">Multiply-adds of its forward pass for one image.</param>
/// <param name="ActivationBytes">Bytes of the output it allocates for one image (0 for in-place layers).</param>
public sealed record LayerSummary(string Name, string Role, string Description, TensorShape OutputShape, long Parameters,
    long MultiplyAdds, long ActivationBytes);

/// <summary>Per-layer shapes, parameter counts, multiply-adds and activation memory of a model for one image.</summary>
public sealed class ModelSummary
{
    private ModelSummary(IReadOnlyList<LayerSummary> layers, TensorShape input)
    {
        Layers = layers;
        InputShape = input;
    }

    /// <summary>The rows, in layer order.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>The input shape summarised (batch 1).</summary>
    public TensorShape InputShape { get; }

    /// <summary>Total trainable parameters.</summary>
    public long Parameters => Layers.Sum(l => l.Parameters);

    /// <summary>Total multiply-adds per image (convolutions and fully-connected layers).</summary>
    public long MultiplyAdds => Layers.Sum(l => l.MultiplyAdds);

    /// <summary>Total bytes of activations one image's forward pass keeps.</summary>
    public long ActivationBytes => Layers.Sum(l => l.ActivationBytes);

    /// <summary>Summarises <paramref name="model"/> for one image of its input size (or of <paramref name="inputSize"/>).</summary>
    public static ModelSummary Of(VggModel model, int? inputSize = null)
    {
        int size = inputSize ?? model.Options.InputSize;
        var shape = new TensorShape(1, model.Options.InputChannels, size, size);
        var input = shape;
        var rows = new List<LayerSummary>();
        var layers = model.Network.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var output = layer.OutputShape(shape);
            bool inPlace = layer is ReLU or Dropout or Flatten;
            rows.Add(new LayerSummary(layer.Name, model.LayerRoles[i], layer.Describe(), output,
                layer.Parameters.Sum(p => (long)p.Value.Length), layer.MultiplyAdds(shape),
                inPlace ? 0 : (long)output.ElementCount * sizeof(float)));
            shape = output;
        }
        return new ModelSummary(rows, input);
    }
}

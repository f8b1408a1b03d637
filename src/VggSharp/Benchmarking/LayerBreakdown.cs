namespace VggSharp.Benchmarking;

/// <summary>One layer's share of a benchmark iteration: mean time per iteration in each direction.</summary>
/// <param name="Name">The layer's torchvision key prefix ("features.0").</param>
/// <param name="Role">Its Caffe-style role ("conv1_1").</param>
/// <param name="Description">What it computes.</param>
/// <param name="MultiplyAdds">Multiply-adds of its forward pass for the whole batch (0 for layers without weights).</param>
/// <param name="Forward">Forward pass.</param>
/// <param name="BackwardData">Gradient of its input (zero in inference, and for the first layer, whose input needs none).</param>
/// <param name="BackwardFilter">Gradient of its weights and biases (zero in inference).</param>
public sealed record LayerBreakdown(string Name, string Role, string Description, long MultiplyAdds, TimeSpan Forward,
    TimeSpan BackwardData, TimeSpan BackwardFilter);

namespace VggSharp.Bench;

/// <summary>A batch of square feature maps, as max pooling and ReLU see them, named by their layer in configuration D.</summary>
public sealed record FeatureMapShape(string Role, int Batch, int Channels, int Size)
{
    /// <inheritdoc />
    public override string ToString() => $"{Role} {Batch}x{Channels}x{Size}x{Size}";
}

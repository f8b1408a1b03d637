namespace VggSharp.Bench;

/// <summary>A 3x3, padding-1 convolution on a batch, as the im2col and Winograd comparison runs it.</summary>
public sealed record AlgorithmComparisonShape(string Role, int Batch, int InChannels, int OutChannels, int Size)
{
    /// <summary>
    /// Five layers of VGG-16 at 224 on the goal's batch of 8 (the widest map, then one per stage), and three of the
    /// main job (configuration D at a quarter width, 32x32 input, batch 128) where maps are small.
    /// </summary>
    public static IReadOnlyList<AlgorithmComparisonShape> All { get; } =
    [
        new("conv1_2", 8, 64, 64, 224),
        new("conv2_2", 8, 128, 128, 112),
        new("conv3_2", 8, 256, 256, 56),
        new("conv4_2", 8, 512, 512, 28),
        new("conv5_2", 8, 512, 512, 14),
        new("main conv2_2", 128, 32, 32, 16),
        new("main conv3_2", 128, 64, 64, 8),
        new("main conv4_2", 128, 128, 128, 4),
    ];

    /// <inheritdoc />
    public override string ToString() => $"{Role} {Batch}x{InChannels}-{OutChannels} {Size}x{Size}";
}

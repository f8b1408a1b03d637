namespace VggSharp.Bench;

/// <summary>A stride-1, same-padding convolution of one image, named by the first layer of configuration D that has it.</summary>
public sealed record ConvolutionShape(string Role, int InChannels, int OutChannels, int KernelSize, int Size)
{
    /// <summary>Padding that keeps the spatial size, as VGG's convolutions do.</summary>
    public int Padding => KernelSize / 2;

    /// <inheritdoc />
    public override string ToString() => $"{Role} {InChannels}-{OutChannels} k{KernelSize} {Size}x{Size}";
}

namespace VggSharp.Bench;

/// <summary>A stride-1, same-padding convolution of a batch, named by the first layer of its network that has it.</summary>
public sealed record ConvolutionShape(string Role, int Batch, int InChannels, int OutChannels, int KernelSize, int Size) : IMultiplyAddCount
{
    /// <summary>Padding that keeps the spatial size, as VGG's convolutions do.</summary>
    public int Padding => KernelSize / 2;

    /// <inheritdoc />
    public long MultiplyAdds => (long)Batch * OutChannels * InChannels * KernelSize * KernelSize * Size * Size;

    /// <inheritdoc />
    public override string ToString() => $"{Role} {InChannels}-{OutChannels} k{KernelSize} {Batch}x{Size}x{Size}";
}

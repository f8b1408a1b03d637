namespace VggSharp.Models;

/// <summary>What one token of a configuration's convolutional part builds.</summary>
public enum FeatureKind
{
    /// <summary>A convolution followed by ReLU (and batch norm before the ReLU in -BN configurations).</summary>
    Convolution,

    /// <summary>2x2 max pooling, stride 2; ends a stage.</summary>
    MaxPool,

    /// <summary>Local response normalisation (A-LRN).</summary>
    LocalResponseNorm,
}

/// <summary>One item of a configuration's convolutional part.</summary>
/// <param name="Kind">What it builds.</param>
/// <param name="Channels">Output channels of a convolution (before the width multiplier); 0 otherwise.</param>
/// <param name="KernelSize">3, or 1 for the 1x1 convolutions of configuration C; 0 for non-convolutions.</param>
public readonly record struct FeatureItem(FeatureKind Kind, int Channels = 0, int KernelSize = 0)
{
    /// <summary>The token that denotes this item in a layer string: "64", "512/1", "M" or "LRN".</summary>
    public override string ToString() => Kind switch
    {
        FeatureKind.MaxPool => "M",
        FeatureKind.LocalResponseNorm => "LRN",
        _ => KernelSize == 3 ? Channels.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Channels}/{KernelSize}",
    };
}

using VggSharp.Kernels;
using VggSharp.Layers;

namespace VggSharp.Models;

/// <summary>
/// One planned layer of a VGG network: enough to build it, or to size its state without allocating anything
/// (loaders compare that size with a file's before building a model a hostile header asks for).
/// </summary>
internal sealed record LayerSpec(string Name, string Role, LayerSpecKind Kind, int InChannels = 0, int OutChannels = 0, int KernelSize = 0,
    float DropoutProbability = 0)
{
    /// <summary>Bytes of this layer's state entries; computed in 64 bits so absurd sizes cannot wrap.</summary>
    public long StateBytes => Kind switch
    {
        LayerSpecKind.Convolution => ((long)OutChannels * InChannels * KernelSize * KernelSize + OutChannels) * sizeof(float),
        LayerSpecKind.Linear => ((long)OutChannels * InChannels + OutChannels) * sizeof(float),
        LayerSpecKind.BatchNorm => 4L * OutChannels * sizeof(float) + sizeof(long), // weight, bias, running mean and variance; counter
        _ => 0,
    };

    /// <summary>Creates the layer.</summary>
    public Layer Build() => Kind switch
    {
        LayerSpecKind.Convolution => new Conv2d(Name, InChannels, OutChannels, KernelSize, Role.StartsWith("fc", StringComparison.Ordinal) ? 0 : KernelSize / 2),
        LayerSpecKind.BatchNorm => new BatchNorm2d(Name, OutChannels),
        LayerSpecKind.ReLU => new ReLU(Name),
        LayerSpecKind.LocalResponseNorm => new LocalResponseNorm(Name, LrnParameters.Krizhevsky),
        LayerSpecKind.MaxPool => new MaxPool2d(Name),
        LayerSpecKind.Flatten => new Flatten(Name),
        LayerSpecKind.Linear => new Linear(Name, InChannels, OutChannels),
        LayerSpecKind.Dropout => new Dropout(Name, DropoutProbability),
        _ => throw new InvalidOperationException($"Unknown layer kind {Kind}."),
    };
}

/// <summary>The kinds of layer a VGG network is made of.</summary>
internal enum LayerSpecKind { Convolution, BatchNorm, ReLU, LocalResponseNorm, MaxPool, Flatten, Linear, Dropout }

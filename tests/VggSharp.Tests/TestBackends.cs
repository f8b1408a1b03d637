using VggSharp.Kernels;
using VggSharp.Kernels.Fast;
using VggSharp.Kernels.Reference;
using Xunit;

namespace VggSharp.Tests;

/// <summary>The backends every backend-generic suite runs against, by name (xunit data must be serialisable).</summary>
public static class TestBackends
{
    /// <summary>The oracle the others are compared with.</summary>
    public const string Reference = "reference";

    private static readonly Dictionary<string, Func<IBackend>> Factories = new()
    {
        [Reference] = () => new ReferenceBackend(),
        ["fast"] = () => new FastBackend(),
        ["fast-1thread"] = () => new FastBackend(1),
        ["fast-im2col"] = () => new FastBackend(convolution: ConvolutionAlgorithm.Im2Col),
        ["fast-winograd"] = () => new FastBackend(convolution: ConvolutionAlgorithm.Winograd),
    };

    /// <summary>Names for [MemberData].</summary>
    public static TheoryData<string> Names => new(Factories.Keys);

    /// <summary>Names for [MemberData] of suites that compare a backend with the reference: all but the reference itself.</summary>
    public static TheoryData<string> ComparedWithReference => new(Factories.Keys.Where(name => name != Reference));

    /// <summary>A new backend by name.</summary>
    public static IBackend Create(string name) => Factories[name]();
}

using VggSharp.Kernels;
using VggSharp.Kernels.Fast;
using VggSharp.Kernels.Reference;
using Xunit;

namespace VggSharp.Tests;

/// <summary>The backends every backend-generic suite runs against, by name (xunit data must be serialisable).</summary>
public static class TestBackends
{
    private static readonly Dictionary<string, Func<IBackend>> Factories = new()
    {
        ["reference"] = () => new ReferenceBackend(),
        ["fast"] = () => new FastBackend(),
        ["fast-1thread"] = () => new FastBackend(1),
        ["fast-im2col"] = () => new FastBackend(convolution: ConvolutionAlgorithm.Im2Col),
        ["fast-winograd"] = () => new FastBackend(convolution: ConvolutionAlgorithm.Winograd),
    };

    /// <summary>Names for [MemberData].</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in Factories.Keys) data.Add(name);
            return data;
        }
    }

    /// <summary>A new backend by name.</summary>
    public static IBackend Create(string name) => Factories[name]();
}

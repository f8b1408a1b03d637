using Xunit;

namespace VggSharp.Tests;

/// <summary>
/// Tests that install another <see cref="Kernels.Backends.Default"/> (as the command line does for --device) run in
/// this collection, alone, so that no other test builds its models on that backend meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultBackendSwapped
{
    public const string Name = "Default backend swapped";
}

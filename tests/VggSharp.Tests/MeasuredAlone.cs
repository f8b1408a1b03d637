using Xunit;

namespace VggSharp.Tests;

/// <summary>
/// Tests that read process-wide counters (bytes allocated by all threads) run in this collection, which xunit runs
/// after the parallel ones and alone, so other tests' allocations do not leak into the measurement.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAlone
{
    public const string Name = "Measured alone";
}

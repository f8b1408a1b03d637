using VggSharp.Cli.Options;
using Xunit;

namespace VggSharp.Tests.Cli;

/// <summary>Which GPU each rank of an mpirun job takes when --device is cuda or auto (no index).</summary>
public class DeviceOptionsTests
{
    [Theory]
    [InlineData(4, 4, new[] { 0, 1, 2, 3 })]
    [InlineData(8, 4, new[] { 0, 1, 2, 3, 0, 1, 2, 3 })]
    [InlineData(3, 2, new[] { 0, 1, 0 })]
    [InlineData(2, 8, new[] { 0, 1 })]
    [InlineData(3, 1, new[] { 0, 0, 0 })]
    [InlineData(2, 0, new[] { 0, 0 })]
    public void TheRanksOnAMachineTakeItsGpusInTurn(int ranks, int gpus, int[] expected) =>
        Assert.Equal(expected, Enumerable.Range(0, ranks).Select(rank => DeviceOptions.GpuOf(rank, gpus)));

    [Fact]
    public void ANegativeRankOrCountIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceOptions.GpuOf(-1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceOptions.GpuOf(0, -1));
    }
}

using VggSharp.Benchmarking;
using Xunit;

namespace VggSharp.Tests.Benchmarking;

public class FmaPeakTests
{
    private static readonly TimeSpan ShortRound = TimeSpan.FromMilliseconds(2);

    [Fact]
    public void ProbesOneThreadAndSeveral()
    {
        var peak = FmaPeak.Probe(2, ShortRound);

        Assert.Contains(peak.VectorBits, new[] { 128, 256, 512 });
        Assert.Equal(2, peak.Threads);
        // At least one FMA per nanosecond on any machine that runs the tests; far below any real peak.
        Assert.InRange(peak.SingleThreadGflops, 2, 10_000);
        Assert.InRange(peak.AllThreadsGflops, 2, 10_000);
    }

    [Fact]
    public void OneThreadGivesOneFigure()
    {
        var peak = FmaPeak.Probe(1, ShortRound);
        Assert.Equal(peak.SingleThreadGflops, peak.AllThreadsGflops);
    }

    [Fact]
    public void RejectsNoThreadsOrNoTime()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaPeak.Measure(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaPeak.Measure(1, TimeSpan.Zero));
    }
}

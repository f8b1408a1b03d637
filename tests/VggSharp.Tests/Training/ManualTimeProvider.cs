namespace VggSharp.Tests.Training;

/// <summary>A clock that moves only when the test says so.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks;

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => _ticks += by.Ticks;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override long GetTimestamp() => _ticks;
}

namespace VggSharp.Training;

/// <summary>How often <see cref="ProgressReporter"/> writes.</summary>
public sealed record ProgressReporterOptions
{
    /// <summary>On a terminal, the least time between redraws of the progress line. Default 0.2 s.</summary>
    public TimeSpan TerminalRefreshInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Off a terminal (a log file, CI), the time between progress lines. Default 10 s.</summary>
    public TimeSpan PlainInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Off a terminal, also write a line every this many steps; null (the default) writes by time only.</summary>
    public int? PlainEverySteps { get; init; }

    /// <summary>The width of the terminal progress bar in characters. Default 24.</summary>
    public int BarWidth { get; init; } = 24;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (TerminalRefreshInterval < TimeSpan.Zero || PlainInterval < TimeSpan.Zero) throw new ArgumentException("Progress intervals are not negative.");
        if (PlainEverySteps is < 1) throw new ArgumentException($"Progress lines every {PlainEverySteps} steps: the count is at least 1.");
        if (BarWidth < 1) throw new ArgumentException($"The progress bar is at least 1 character wide, got {BarWidth}.");
    }
}

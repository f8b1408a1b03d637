namespace VggSharp.Tests.Training;

/// <summary>
/// A progress writer that cancels the run once it has reported <paramref name="steps"/> steps; give it a
/// <see cref="VggSharp.Training.ProgressReporter"/> that prints every step. The stop takes effect after the next step.
/// </summary>
internal sealed class CancelAfterSteps(CancellationTokenSource source, int steps) : StringWriter
{
    private int _seen;

    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        if (value is not null && value.Contains(" step ", StringComparison.Ordinal) && ++_seen == steps) source.Cancel();
    }
}

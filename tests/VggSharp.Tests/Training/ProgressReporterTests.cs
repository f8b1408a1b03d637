using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

public class ProgressReporterTests
{
    [Fact]
    public void OnATerminalOneLineIsRedrawnInPlace()
    {
        var output = new StringWriter();
        var clock = new ManualTimeProvider();
        var reporter = new ProgressReporter(output, isTerminal: true, time: clock);

        reporter.BeginEpoch(1, 2, steps: 4);
        for (int step = 0; step < 4; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            reporter.Step(images: 32, meanLoss: 2.0 - 0.5 * step, correct: 8 * step);
        }
        string during = output.ToString();
        reporter.EndEpoch(MetricsLogTests.Epoch(1) with { Seconds = 4 });
        string all = output.ToString();

        Assert.DoesNotContain('\n', during);
        Assert.Equal(4, during.Count(c => c == '\r'));
        Assert.Contains("\repoch 1/2 [######------------------] 1/4 loss 2.0000 acc 0.00% 32.0 img/s ETA 0:03", during);
        // Running means over the epoch: loss (2 + 1.5 + 1 + 0.5) / 4, accuracy (0 + 8 + 16 + 24) / 128.
        Assert.EndsWith("\repoch 1/2 [########################] 4/4 loss 1.2500 acc 37.50% 32.0 img/s ETA 0:00", during);
        string summary = all[during.Length..];
        Assert.StartsWith("\r" + new string(' ', during.Split('\r')[^1].Length) + "\r", summary);
        Assert.EndsWith("epoch 1/2 done in 0:04: train loss 6.9000, top-1 error 90.00%; val top-1 error 95.00%, top-5 error 70.00%; lr 0.01; 250.5 img/s" + Environment.NewLine, summary);
        Assert.DoesNotContain('\x1b', all);
    }

    [Fact]
    public void OnATerminalRedrawsAreThrottledButTheLastStepIsShown()
    {
        var output = new StringWriter();
        var clock = new ManualTimeProvider();
        var reporter = new ProgressReporter(output, isTerminal: true, time: clock);
        reporter.BeginEpoch(1, 1, steps: 100);

        for (int step = 0; step < 100; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            reporter.Step(4, 1.0, 2);
        }

        // 1 s in all at 0.2 s per redraw, plus the final step.
        Assert.InRange(output.ToString().Count(c => c == '\r'), 5, 6);
        Assert.Contains("100/100", output.ToString());
    }

    [Fact]
    public void OffATerminalPlainLinesComeEveryTenSeconds()
    {
        var output = new StringWriter();
        var clock = new ManualTimeProvider();
        var reporter = new ProgressReporter(output, isTerminal: false, time: clock);

        reporter.BeginEpoch(3, 74, steps: 10);
        for (int step = 0; step < 10; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(3));
            reporter.Step(32, 1.0, 16);
        }
        reporter.EndEpoch(MetricsLogTests.Epoch(3) with { Seconds = 30, SkippedImages = 2 });

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "epoch 3/74 step 4/10 loss 1.0000 acc 50.00% 10.7 img/s ETA 0:18",
            "epoch 3/74 step 8/10 loss 1.0000 acc 50.00% 10.7 img/s ETA 0:06",
            "epoch 3/74 done in 0:30: train loss 2.3000, top-1 error 30.00%; val top-1 error 31.67%, top-5 error 23.33%; lr 0.01; 250.5 img/s; 2 images skipped",
        ], lines);
        Assert.DoesNotContain('\r', output.ToString());
    }

    [Fact]
    public void OffATerminalLinesCanAlsoComeEveryNSteps()
    {
        var output = new StringWriter();
        var clock = new ManualTimeProvider();
        var reporter = new ProgressReporter(output, isTerminal: false, new ProgressReporterOptions { PlainEverySteps = 2 }, clock);

        reporter.BeginEpoch(1, 1, steps: 6);
        for (int step = 0; step < 6; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            reporter.Step(1, 1.0, 1);
        }

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["step 2/6", "step 4/6", "step 6/6"], lines.Select(l => string.Join(' ', l.Split(' ')[2..4])));
    }

    [Fact]
    public void AResumedEpochEstimatesFromTheStepsRunHere()
    {
        var output = new StringWriter();
        var clock = new ManualTimeProvider();
        var reporter = new ProgressReporter(output, isTerminal: false, new ProgressReporterOptions { PlainEverySteps = 1 }, clock);

        reporter.BeginEpoch(2, 3, steps: 10, firstStep: 6);
        clock.Advance(TimeSpan.FromSeconds(2));
        reporter.Step(8, 0.5, 4);

        Assert.Equal("epoch 2/3 step 7/10 loss 0.5000 acc 50.00% 4.0 img/s ETA 0:06" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void MessagesClearTheProgressLineFirst()
    {
        var output = new StringWriter();
        var clock = new ManualTimeProvider();
        var reporter = new ProgressReporter(output, isTerminal: true, time: clock);
        reporter.BeginEpoch(1, 1, steps: 2);
        clock.Advance(TimeSpan.FromSeconds(1));
        reporter.Step(1, 1.0, 1);

        reporter.Message("checkpoint saved");

        string text = output.ToString();
        int drawn = text.Split('\r')[1].Length;
        Assert.EndsWith("\r" + new string(' ', drawn) + "\rcheckpoint saved" + Environment.NewLine, text);
    }

    [Fact]
    public void StepsBeforeAnEpochAreRefused()
    {
        var reporter = new ProgressReporter(new StringWriter(), isTerminal: false);
        Assert.Throws<InvalidOperationException>(() => reporter.Step(1, 1.0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => reporter.BeginEpoch(1, 1, steps: 0));
    }
}

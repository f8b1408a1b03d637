using System.Globalization;

namespace VggSharp.Training;

/// <summary>
/// Reports training progress. On a terminal: one line redrawn in place (carriage return) with the epoch, a bar,
/// step/steps, running mean loss, running top-1 accuracy, images per second and the time left in the epoch. Off a
/// terminal: the same figures as plain lines at a modest rate (<see cref="ProgressReporterOptions.PlainInterval"/>),
/// so logs stay short. Either way, one summary line per epoch. Times come from a <see cref="TimeProvider"/>, so tests
/// drive the clock. Give it to <see cref="Trainer"/> as the run's <see cref="IProgress{T}"/>.
/// </summary>
public sealed class ProgressReporter : IProgress<TrainingProgress>
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private readonly TextWriter _output;
    private readonly ProgressReporterOptions _options;
    private readonly TimeProvider _time;
    private int _epoch, _totalEpochs, _steps, _step, _stepsThisSession;
    private long _images, _lastWrite;
    private double _lossSum, _correct;
    private long _epochStart;
    private int _drawnLength;
    private bool _lineOpen;

    /// <summary>Reports to <paramref name="output"/>; <paramref name="isTerminal"/> chooses the redrawn line over plain lines.</summary>
    public ProgressReporter(TextWriter output, bool isTerminal, ProgressReporterOptions? options = null, TimeProvider? time = null)
    {
        _output = output;
        IsTerminal = isTerminal;
        _options = options ?? new ProgressReporterOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A reporter on standard output, redrawing in place only when it is a terminal.</summary>
    public static ProgressReporter ForConsole(ProgressReporterOptions? options = null) => new(Console.Out, !Console.IsOutputRedirected, options);

    /// <summary>Whether the output is a terminal.</summary>
    public bool IsTerminal { get; }

    /// <summary>Prints what the run reports: each kind goes to the method of its name.</summary>
    public void Report(TrainingProgress value)
    {
        switch (value)
        {
            case TrainingProgress.EpochStarted e: BeginEpoch(e.Epoch, e.Epochs, e.Steps, e.FirstStep); break;
            case TrainingProgress.StepFinished s: Step(s.Images, s.MeanLoss, s.Correct); break;
            case TrainingProgress.EpochFinished f: EndEpoch(f.Metrics); break;
            case TrainingProgress.Message m: Message(m.Text); break;
        }
    }

    /// <summary>
    /// Starts epoch <paramref name="epoch"/> (1-based) of <paramref name="totalEpochs"/>, which has <paramref name="steps"/>
    /// steps; a resumed epoch starts at <paramref name="firstStep"/> (the steps already done).
    /// </summary>
    public void BeginEpoch(int epoch, int totalEpochs, int steps, int firstStep = 0)
    {
        if (epoch < 1 || totalEpochs < epoch) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"The epoch is in [1, {totalEpochs}].");
        if (steps < 1 || firstStep < 0 || firstStep > steps) throw new ArgumentOutOfRangeException(nameof(firstStep), firstStep, $"The first step is in [0, {steps}] and there is at least one step.");
        (_epoch, _totalEpochs, _steps, _step, _stepsThisSession) = (epoch, totalEpochs, steps, firstStep, 0);
        (_images, _lossSum, _correct) = (0, 0, 0);
        _epochStart = _lastWrite = _time.GetTimestamp();
    }

    /// <summary>Records a finished step: its <paramref name="images"/>, their mean loss and how many were classified correctly (top-1).</summary>
    public void Step(int images, double meanLoss, int correct)
    {
        if (_steps == 0) throw new InvalidOperationException("Call BeginEpoch before Step.");
        if (images < 1 || correct < 0 || correct > images) throw new ArgumentOutOfRangeException(nameof(correct), correct, $"A step has at least one image and at most {images} correct.");
        _step = Math.Min(_step + 1, _steps);
        _stepsThisSession++;
        _images += images;
        _lossSum += meanLoss * images;
        _correct += correct;

        long now = _time.GetTimestamp();
        var sinceWrite = _time.GetElapsedTime(_lastWrite, now);
        bool last = _step == _steps;
        bool due = IsTerminal
            ? last || sinceWrite >= _options.TerminalRefreshInterval
            : sinceWrite >= _options.PlainInterval || (_options.PlainEverySteps is int every && _step % every == 0);
        if (!due) return;
        _lastWrite = now;
        if (IsTerminal) Redraw($"{EpochLabel} {Bar()} {Figures(now)}");
        else _output.WriteLine($"{EpochLabel} step {_step}/{_steps} {Figures(now)}");
    }

    /// <summary>Ends the epoch with its summary line.</summary>
    public void EndEpoch(EpochMetrics metrics)
    {
        if (_totalEpochs == 0) throw new InvalidOperationException("Call BeginEpoch before EndEpoch.");
        string line = string.Create(Invariant,
            $"epoch {metrics.Epoch}/{_totalEpochs} done in {Duration(TimeSpan.FromSeconds(metrics.Seconds))}: train loss {metrics.TrainLoss:0.0000}, top-1 error {Percent(metrics.TrainTop1Error)}; val top-1 error {Percent(metrics.ValTop1Error)}, top-5 error {Percent(metrics.ValTop5Error)}; lr {metrics.LearningRate:G4}; {metrics.ImagesPerSecond:0.0} img/s");
        if (metrics.SkippedImages > 0) line += string.Create(Invariant, $"; {metrics.SkippedImages} images skipped");
        Message(line);
        _steps = 0;
    }

    /// <summary>Writes a line of its own (a learning-rate change, a checkpoint), below the progress line on a terminal.</summary>
    public void Message(string line)
    {
        if (_lineOpen)
        {
            _output.Write('\r');
            _output.Write(new string(' ', _drawnLength));
            _output.Write('\r');
            (_lineOpen, _drawnLength) = (false, 0);
        }
        _output.WriteLine(line);
        _output.Flush();
    }

    private string EpochLabel => string.Create(Invariant, $"epoch {_epoch}/{_totalEpochs}");

    private string Bar()
    {
        int filled = (int)((long)_step * _options.BarWidth / _steps);
        return $"[{new string('#', filled)}{new string('-', _options.BarWidth - filled)}] {_step}/{_steps}";
    }

    private string Figures(long now)
    {
        var elapsed = _time.GetElapsedTime(_epochStart, now);
        double seconds = elapsed.TotalSeconds;
        string rate = seconds > 0 ? string.Create(Invariant, $"{_images / seconds:0.0} img/s") : "- img/s";
        // Time per step in this session only: steps done before a resume took no time here.
        string eta = seconds > 0 ? Duration(elapsed / _stepsThisSession * (_steps - _step)) : "-";
        return string.Create(Invariant, $"loss {_lossSum / _images:0.0000} acc {Percent(_correct / _images)} {rate} ETA {eta}");
    }

    private void Redraw(string line)
    {
        _output.Write('\r');
        _output.Write(line);
        // Spaces over what is left of a longer previous line; no escape sequences needed.
        if (line.Length < _drawnLength) _output.Write(new string(' ', _drawnLength - line.Length));
        _drawnLength = Math.Max(line.Length, _drawnLength);
        _lineOpen = true;
        _output.Flush();
    }

    private static string Percent(double fraction) => string.Create(Invariant, $"{fraction * 100:0.00}%");

    private static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(Invariant, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(Invariant, $"{t.Minutes}:{t.Seconds:00}");
}

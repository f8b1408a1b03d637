using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VggSharp.Data;
using VggSharp.Data.Transforms;
using VggSharp.Evaluation;
using VggSharp.Interop;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Training;

/// <summary>One run's state and loop: steps, validation, schedule, metrics, report and checkpoints.</summary>
internal sealed class TrainingRun : IDisposable
{
    private readonly TrainingOptions _options;
    private readonly IImageDataset _validation;
    private readonly ChannelStatistics _statistics;
    private readonly VggModel _model;
    private readonly SgdOptimizer _optimizer;
    private readonly LearningRateSchedule _schedule;
    private readonly ProgressReporter _progress;
    private readonly DataLoader _trainLoader;
    private readonly EvaluationOptions _validationOptions;
    private readonly SoftmaxCrossEntropyLoss _loss;
    private readonly MetricsLog _metrics;
    private readonly IReadOnlyList<string> _classNames;
    private readonly Dictionary<int, long[]> _sampleIndexBuffers = [];
    private TrainingPosition _position;
    private EpochProgress _epoch;
    private ConfusionMatrix? _lastConfusion;
    private long _lastCheckpointTimestamp = Stopwatch.GetTimestamp();

    public TrainingRun(TrainingOptions options, IImageDataset train, IImageDataset validation, ChannelStatistics statistics, VggModel model,
        SgdOptimizer optimizer, LearningRateSchedule schedule, TrainingPosition position, EpochProgress epoch, ProgressReporter progress)
    {
        (_options, _validation, _statistics, _model, _optimizer, _schedule, _position, _epoch, _progress) =
            (options, validation, statistics, model, optimizer, schedule, position, epoch, progress);
        _classNames = train.ClassNames;
        var preprocessing = model.Options.EffectivePreprocessing;
        var augmentation = new TrainingTransform(new TrainingTransformOptions
        {
            CropSize = options.InputSize, MinScale = options.ScaleMin, MaxScale = options.ScaleMax, RandomFlip = options.Flip,
            ColourShiftSigma = options.ColourShift, Statistics = statistics, Channels = model.Options.InputChannels, Preprocessing = preprocessing,
        });
        _trainLoader = new DataLoader(train, augmentation, new DataLoaderOptions
        {
            BatchSize = options.BatchSize, Seed = options.Seed, Workers = options.LoaderWorkers, Limit = options.Limit,
        });
        // Validation during training is the single-scale protocol at Q = S, or the middle of the jittering range; the
        // training batch size keeps the layers' buffers from being reallocated between training and validation.
        _validationOptions = new EvaluationOptions
        {
            Protocol = EvaluationProtocol.Center, Scales = [(options.ScaleMin + options.ScaleMax) / 2], BatchSize = options.BatchSize,
            Limit = options.ValidationLimit, MaxDegreeOfParallelism = options.LoaderWorkers,
        };
        _loss = new SoftmaxCrossEntropyLoss(model.Network.Backend);
        _metrics = new MetricsLog(options.OutputDirectory);
    }

    public TrainingResult Execute(CancellationToken cancellation)
    {
        string stop = "epoch limit";
        try
        {
            while (!_schedule.ShouldStop && _position.Epoch < _options.Epochs)
            {
                RunEpoch(cancellation);
                var (top1, top5) = Validate(cancellation);
                double learningRate = _schedule.LearningRate;
                var decision = _schedule.Observe(1 - top1);
                var metrics = new EpochMetrics
                {
                    Epoch = _position.Epoch + 1, TrainLoss = _epoch.LossSum / Math.Max(1, _epoch.Images),
                    TrainTop1Error = 1 - (double)_epoch.Correct / Math.Max(1, _epoch.Images), ValTop1Error = top1, ValTop5Error = top5,
                    LearningRate = learningRate, ImagesPerSecond = _epoch.Images / Math.Max(1e-9, _epoch.Seconds), Seconds = _epoch.Seconds,
                    SkippedImages = _epoch.Skipped,
                };
                _metrics.Append(metrics);
                _progress.EndEpoch(metrics);
                if (decision == ScheduleDecision.Reduced) _progress.Message($"Validation accuracy stopped improving: learning rate now {_schedule.LearningRate:G3}.");
                _position = _position with { Epoch = _position.Epoch + 1, StepInEpoch = 0 };
                _epoch = EpochProgress.Empty;
                SaveCheckpoint();
                WriteReport("training");
            }
            if (_schedule.State.Stop == ScheduleStop.Plateau) stop = "validation accuracy stopped improving after the last learning-rate reduction";
        }
        catch (OperationCanceledException)
        {
            SaveCheckpoint();
            WriteReport($"stopped at epoch {_position.Epoch + 1}, step {_position.StepInEpoch}; resume with --resume");
            throw;
        }
        catch (TrainingDivergedException e)
        {
            WriteReport("diverged: " + e.Message);
            throw;
        }

        string modelPath = Path.Combine(_options.OutputDirectory, Trainer.ModelFileName);
        VggModelFile.Save(_model, modelPath, new Dictionary<string, string> { [Trainer.StatisticsKey] = JsonSerializer.Serialize(_statistics) }, _classNames);
        var last = _metrics.Read().LastOrDefault();
        WriteReport($"finished: {stop}");
        return new TrainingResult(_options.OutputDirectory, modelPath, Path.Combine(_options.OutputDirectory, TrainingReport.FileName),
            _position.Epoch, last?.ValTop1Error ?? double.NaN, last?.ValTop5Error ?? double.NaN, stop);
    }

    private void RunEpoch(CancellationToken cancellation)
    {
        int epochIndex = _position.Epoch;
        _progress.BeginEpoch(epochIndex + 1, _options.Epochs, _trainLoader.BatchesPerEpoch, _position.StepInEpoch);
        float learningRate = (float)_schedule.LearningRate;
        var clock = Stopwatch.StartNew();
        double secondsBefore = _epoch.Seconds;
        long skipped = 0;
        foreach (var batch in _trainLoader.Epoch(epochIndex, _position.StepInEpoch, bad =>
                 {
                     Interlocked.Increment(ref skipped);
                     _progress.Message($"skipped {bad.Source}: {bad.Reason}");
                 }, cancellation))
        {
            var (loss, correct) = Step(batch);
            if (!double.IsFinite(loss))
                throw new TrainingDivergedException(
                    $"the loss became {loss} at epoch {epochIndex + 1}, step {_position.StepInEpoch + 1}; the last good checkpoint is kept in {_options.OutputDirectory}. Try a smaller --lr.");
            _optimizer.Step(learningRate);
            _position = _position with { StepInEpoch = _position.StepInEpoch + 1, GlobalStep = _position.GlobalStep + 1, SamplesSeen = _position.SamplesSeen + batch.Count };
            _epoch = _epoch with
            {
                LossSum = _epoch.LossSum + loss * batch.Count, Correct = _epoch.Correct + correct, Images = _epoch.Images + batch.Count,
                Seconds = secondsBefore + clock.Elapsed.TotalSeconds, Skipped = _epoch.Skipped + Interlocked.Exchange(ref skipped, 0),
            };
            _progress.Step(batch.Count, _epoch.LossSum / _epoch.Images, correct);
            // Checkpoints are taken only between steps, so a resumed run repeats nothing and skips nothing.
            cancellation.ThrowIfCancellationRequested();
            if (Stopwatch.GetElapsedTime(_lastCheckpointTimestamp).TotalSeconds >= _options.CheckpointSeconds) SaveCheckpoint();
        }
        _epoch = _epoch with { Skipped = _epoch.Skipped + Interlocked.Exchange(ref skipped, 0) };
    }

    /// <summary>One optimisation step's gradients, accumulated over micro-batches; returns the batch's mean loss and correct count.</summary>
    private (double Loss, int Correct) Step(Batch batch)
    {
        _model.Network.ZeroGradients();
        int micro = Math.Min(_options.MicroBatchSize ?? batch.Count, batch.Count);
        double lossSum = 0;
        int correct = 0;
        for (int start = 0; start < batch.Count; start += micro)
        {
            int count = Math.Min(micro, batch.Count - start);
            var indices = SampleIndexBuffer(count);
            Array.Copy(batch.SampleIndices, start, indices, 0, count);
            var images = count == batch.Count ? batch.Images : batch.Images.Items(start, count);
            try
            {
                var context = new ForwardContext { Training = true, Seed = _options.Seed, Step = _position.GlobalStep, SampleIndices = indices };
                var labels = batch.Labels.AsSpan(start, count);
                float loss = _loss.Compute(_model.Forward(images, context), labels);
                lossSum += (double)loss * count;
                correct += CountCorrect(_loss.Probabilities, labels);
                // Each pass's loss is its own mean; weighting by its share makes the sum the whole batch's mean.
                if (count != batch.Count) Scale(_loss.Gradient, (float)count / batch.Count);
                _model.Backward(_loss.Gradient);
            }
            finally
            {
                if (!ReferenceEquals(images, batch.Images)) images.Dispose();
            }
        }
        return (lossSum / batch.Count, correct);
    }

    private long[] SampleIndexBuffer(int count)
    {
        if (!_sampleIndexBuffers.TryGetValue(count, out var buffer)) _sampleIndexBuffers[count] = buffer = new long[count];
        return buffer;
    }

    private static void Scale(Tensor tensor, float factor)
    {
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++) span[i] *= factor;
    }

    private static int CountCorrect(Tensor probabilities, ReadOnlySpan<int> labels)
    {
        int classes = probabilities.Shape[1], correct = 0;
        var p = probabilities.Span;
        for (int n = 0; n < labels.Length; n++)
            if (ScoreRanking.ArgMax(p.Slice(n * classes, classes)) == labels[n]) correct++;
        return correct;
    }

    private (double Top1, double Top5) Validate(CancellationToken cancellation)
    {
        var result = Evaluator.Evaluate([_model], _validation, _validationOptions, cancellation: cancellation);
        foreach (var bad in result.BadImages) _progress.Message($"skipped {bad.Source}: {bad.Reason}");
        _lastConfusion = result.Confusion;
        return (result.Top1Error, result.Top5Error);
    }

    private void SaveCheckpoint()
    {
        Checkpoint.Save(_options.OutputDirectory, _model, _optimizer, _schedule.State, _position, _options.Seed, new Dictionary<string, string>
        {
            [Trainer.OptionsKey] = JsonSerializer.Serialize(_options),
            [Trainer.StatisticsKey] = JsonSerializer.Serialize(_statistics),
            [Trainer.ProgressKey] = JsonSerializer.Serialize(_epoch),
            [Trainer.ClassNamesKey] = JsonSerializer.Serialize(_classNames),
        });
        _lastCheckpointTimestamp = Stopwatch.GetTimestamp();
    }

    private void WriteReport(string status)
    {
        // Floats print from their own shortest form, not widened to double (0.9, not 0.8999999761581421).
        string Invariant(double v) => v.ToString("G", CultureInfo.InvariantCulture);
        string Single(float v) => v.ToString(CultureInfo.InvariantCulture);
        TrainingReport.Write(_options.OutputDirectory, new TrainingReportContent
        {
            Status = status,
            Configuration =
            [
                new("configuration", _model.Configuration.Name), new("width", Invariant(_options.Width)), new("head", _options.Head.ToString()),
                new("input", $"{_model.Options.InputChannels}x{_options.InputSize}x{_options.InputSize}"), new("classes", _classNames.Count.ToString(CultureInfo.InvariantCulture)),
                new("parameters", _model.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)), new("data", _options.Data),
            ],
            Options =
            [
                new("batch", _options.BatchSize.ToString(CultureInfo.InvariantCulture)), new("learning rate", Invariant(_options.LearningRate)),
                new("momentum", Single(_options.Momentum)), new("weight decay", Single(_options.WeightDecay)), new("dropout", Single(_options.Dropout)),
                new("scale S", _options.ScaleMin == _options.ScaleMax ? $"{_options.ScaleMin}" : $"[{_options.ScaleMin}, {_options.ScaleMax}]"),
                new("init", _options.InitFrom ?? _options.Init.ToString()), new("seed", _options.Seed.ToString(CultureInfo.InvariantCulture)),
                new("epochs", _options.Epochs.ToString(CultureInfo.InvariantCulture)),
            ],
            Epochs = _metrics.Read(),
            Confusion = _lastConfusion,
        });
    }

    public void Dispose()
    {
        _trainLoader.Dispose();
        _loss.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}

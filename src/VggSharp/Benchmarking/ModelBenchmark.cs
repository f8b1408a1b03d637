using System.Diagnostics;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Randomness;
using VggSharp.Tensors;
using VggSharp.Training;

namespace VggSharp.Benchmarking;

/// <summary>
/// Times a model's training step or inference on random images at its input size: warm-up iterations, then timed
/// ones, each timed whole, with the network profiled (<see cref="LayerProfiler"/>) for the per-layer breakdown. The
/// training step is the trainer's: clear the gradients, a <see cref="TrainingPass"/> (forward in training mode, softmax
/// cross-entropy, backward), an <see cref="SgdOptimizer"/> step. It changes the model's weights (and batch-norm
/// statistics).
/// </summary>
public static class ModelBenchmark
{
    /// <summary>Runs the benchmark on <paramref name="model"/>.</summary>
    public static ModelBenchmarkResult Run(VggModel model, ModelBenchmarkOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        options.Validate();
        if (model.IsFullyConvolutional) throw new ArgumentException("Benchmark the model itself, not its fully-convolutional form.");
        bool training = options.Mode == BenchmarkMode.Train;
        BatchMemory.Check(model, options.Batch, training);
        var network = model.Network;
        using var hostImages = RandomImages(model.InputShape(options.Batch), options.Seed);
        Tensor? deviceImages = null;
        var images = network.Backend.OnDevice(hostImages, ref deviceImages);
        int[] labels = [.. Enumerable.Range(0, options.Batch).Select(n => n % model.Options.Classes)];
        using var pass = training ? new TrainingPass(model) : null;
        using var optimizer = training ? new SgdOptimizer(network, options.Sgd) : null;
        // The losses stay on the device, summed over every iteration, and are read once at the end.
        using var totals = network.Backend.Allocate(new TensorShape(2));

        long updateTicks = 0;
        void Iteration(long step)
        {
            if (!training)
            {
                model.Forward(images, ForwardContext.Inference);
                return;
            }
            network.ZeroGradients();
            pass!.Run(images, labels, totals, options.Seed, step);
            // The update is timed apart only while profiling (on a device that means waiting for the work before and after it).
            bool profiling = network.Profiler is not null;
            if (profiling) network.Backend.Synchronize();
            long start = Stopwatch.GetTimestamp();
            optimizer!.Step(options.LearningRate);
            if (profiling) network.Backend.Synchronize();
            updateTicks += Stopwatch.GetTimestamp() - start;
        }

        for (int i = 0; i < options.Warmup; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            Iteration(i);
        }
        var seconds = new double[options.Iterations];
        IReadOnlyList<LayerTiming>? timings = null;
        var warmupLoss = pass?.LossTime ?? TimeSpan.Zero;
        // On the CPU the per-layer breakdown costs nothing and comes from the timed iterations themselves. On a device
        // the profiler waits for every layer, which would slow the timed steps, so the breakdown (and the loss and
        // update times) come from as many iterations again, after the timed ones.
        bool onHost = network.Backend.Device.IsHost;
        network.Backend.Synchronize();
        using (var profiler = onHost ? network.Profile() : null)
        {
            updateTicks = 0;
            for (int i = 0; i < options.Iterations; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                long start = Stopwatch.GetTimestamp();
                Iteration(options.Warmup + i);
                network.Backend.Synchronize();
                seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            timings = profiler?.Timings();
        }
        if (timings is null)
        {
            using var profiler = network.Profile();
            (updateTicks, warmupLoss) = (0, pass?.LossTime ?? TimeSpan.Zero);
            for (int i = 0; i < options.Iterations; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                Iteration(options.Warmup + options.Iterations + i);
            }
            timings = profiler.Timings();
        }
        deviceImages?.Dispose();
        float lossSum = totals.ToArray()[0];
        if (!float.IsFinite(lossSum)) throw new TrainingDivergedException($"the loss became {lossSum} during the benchmark.");

        var summary = ModelSummary.Of(model);
        int n = options.Iterations;
        var layers = timings.Select((t, i) => new LayerBreakdown(summary.Layers[i].Name, summary.Layers[i].Role, summary.Layers[i].Description,
            summary.Layers[i].MultiplyAdds * options.Batch, t.Forward / n, t.BackwardData / n, t.BackwardFilter / n)).ToList();
        return new ModelBenchmarkResult
        {
            Options = options,
            Seconds = seconds,
            FlopsPerIteration = FlopsPerIteration(model, options.Mode, options.Batch),
            Layers = layers,
            Loss = ((pass?.LossTime ?? TimeSpan.Zero) - warmupLoss) / n,
            Update = Stopwatch.GetElapsedTime(0, updateTicks) / n,
        };
    }

    /// <summary>
    /// Floating-point operations of one iteration on <paramref name="batch"/> images: 2 per multiply-add; a training
    /// step does each weighted layer's forward, backward-filter and (except for the first layer) backward-data products.
    /// </summary>
    public static long FlopsPerIteration(VggModel model, BenchmarkMode mode, int batch)
    {
        var rows = ModelSummary.Of(model).Layers;
        long forward = rows.Sum(r => r.MultiplyAdds);
        long macs = mode == BenchmarkMode.Infer ? forward : 3 * forward - rows[0].MultiplyAdds;
        return 2 * macs * batch;
    }

    /// <summary>Uniform values in [-1, 1), the scale of normalised pixels, from the seed.</summary>
    internal static Tensor RandomImages(TensorShape shape, ulong seed)
    {
        var images = new Tensor(shape);
        ulong key = CounterRandom.Key(seed, 0xBE4C);
        var span = images.Span;
        for (int i = 0; i < span.Length; i++) span[i] = 2 * CounterRandom.Uniform(key, (ulong)i) - 1;
        return images;
    }
}

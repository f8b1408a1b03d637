using System.CommandLine;
using VggSharp.Benchmarking;
using VggSharp.Cli.Options;
using VggSharp.Cli.Output;
using VggSharp.Kernels.Fast;
using VggSharp.Models;

namespace VggSharp.Cli.Commands;

/// <summary>
/// "vggsharp bench": times a training step or inference of a network on random images (median images/s, GFLOP/s,
/// the fraction of the machine's FMA peak, per-layer forward, backward-data and backward-filter times), or with
/// --peak only probes the FMA peak.
/// </summary>
internal static class BenchCommand
{
    private static readonly ModelBenchmarkOptions Defaults = new();

    public static Command Create()
    {
        var model = new ModelOptions(new VggOptions());
        var mode = new EnumOption<BenchmarkMode>("--mode",
            "train: forward, softmax cross-entropy, backward and SGD update (momentum 0.9, weight decay 5e-4); infer: forward in evaluation mode.", Defaults.Mode);
        Option<int> Count(string name, string description, int defaultValue) =>
            new(name) { Description = description, HelpName = "count", DefaultValueFactory = _ => defaultValue };
        var batch = Count("--batch", "Images per iteration.", Defaults.Batch);
        var warmup = Count("--warmup", "Untimed iterations first.", Defaults.Warmup);
        var iterations = Count("--iterations", "Timed iterations; the median is reported.", Defaults.Iterations);
        var threads = Count("--threads", "Threads the kernels use.", Environment.ProcessorCount);
        var peak = new Option<bool>("--peak") { Description = "Only probe the machine's FMA peak (one thread and --threads threads)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("bench",
            "Time a training step or inference on random images: median images/s, GFLOP/s, the fraction of the FMA peak, and a per-layer breakdown.");
        model.AddTo(command);
        var devices = new DeviceOptions();
        devices.AddTo(command);
        foreach (Option option in (Option[])[mode.Option, batch, warmup, iterations, threads, peak, json]) command.Options.Add(option);
        command.SetAction((parseResult, cancellation) =>
        {
            int threadCount = parseResult.GetValue(threads);
            if (threadCount < 1 || threadCount > FastBackend.ThreadLimit)
                throw new ArgumentException($"--threads must be between 1 and {FastBackend.ThreadLimit} ({FastBackend.ThreadsPerCore} per core on this machine's {Environment.ProcessorCount}), got {threadCount}.");
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(peak))
            {
                var probed = FmaPeak.Probe(threadCount);
                if (parseResult.GetValue(json)) BenchReport.WritePeakJson(probed, output);
                else BenchTable.WritePeak(probed, Terminal.For(output));
                return Task.FromResult(Cli.Success);
            }

            var options = new ModelBenchmarkOptions
            {
                Mode = mode.Read(parseResult),
                Batch = parseResult.GetValue(batch),
                Warmup = parseResult.GetValue(warmup),
                Iterations = parseResult.GetValue(iterations),
            };
            options.Validate();
            var gpu = devices.Read(parseResult, parseResult.InvocationConfiguration.Error);
            using var vgg = VggModel.Create(model.Read(parseResult), new FastBackend(threadCount), InitScheme.Kaiming, options.Seed);
            // Built and initialised on the host, then moved: the same weights on either device.
            if (gpu is not null) vgg.MoveTo(gpu);
            var machine = gpu is null ? FmaPeak.Probe(threadCount) : null;
            var result = ModelBenchmark.Run(vgg, options, cancellation);
            var report = BenchReport.Of(vgg, result, threadCount, machine);
            if (parseResult.GetValue(json)) report.WriteJson(output);
            else BenchTable.Write(report, Terminal.For(output));
            return Task.FromResult(Cli.Success);
        });
        return command;
    }
}

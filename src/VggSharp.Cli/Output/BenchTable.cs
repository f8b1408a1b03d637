using System.Globalization;
using Spectre.Console;
using VggSharp.Benchmarking;

namespace VggSharp.Cli.Output;

/// <summary>The text form of "vggsharp bench": the headline figures, then one row per layer with its mean times per iteration.</summary>
internal static class BenchTable
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="console"/>.</summary>
    public static void Write(BenchReport report, IAnsiConsole console)
    {
        bool training = report.Mode == "train";
        console.WriteLine(
            $"VGG configuration {report.Configuration}: input {string.Join('x', report.Input)}, {report.Classes} classes, "
            + $"{report.Head} head, width x{F(report.WidthMultiplier, "0.###")}");
        console.WriteLine(training
            ? $"Training step (forward, softmax cross-entropy, backward, SGD update), batch {report.Batch}, {Where(report)}"
            : $"Inference (forward in evaluation mode), batch {report.Batch}, {Where(report)}");
        console.WriteLine(
            $"{report.Iterations} timed iterations after {report.Warmup} warm-up: median {F(report.MedianSeconds, "0.000")} s "
            + $"(min {F(report.Seconds.Min(), "0.000")}, max {F(report.Seconds.Max(), "0.000")})");
        console.WriteLine($"{F(report.ImagesPerSecond, "0.00")} images/s, {F(report.GflopsPerSecond, "0.0")} GFLOP/s "
            + $"({F(report.FlopsPerIteration / 1e9, "0.0")} GFLOP per iteration)"
            + (report.FractionOfPeak is { } fraction ? $", {F(100 * fraction, "0.0")}% of the FMA peak" : ""));
        if (report.Peak is { } peak) WritePeak(peak, console);

        double iterationMs = 1000 * report.MedianSeconds;
        var table = new Table()
            .AddColumn("Layer")
            .AddColumn("Role")
            .AddColumn("Description")
            .AddColumn(new TableColumn("Forward ms").RightAligned());
        if (training)
        {
            table.AddColumn(new TableColumn("Backward-data ms").RightAligned());
            table.AddColumn(new TableColumn("Backward-filter ms").RightAligned());
        }
        table.AddColumn(new TableColumn("Share").RightAligned()).AddColumn(new TableColumn("GFLOP/s").RightAligned());

        void Row(string name, string role, string description, double forward, double backwardData, double backwardFilter, double flops)
        {
            double total = forward + backwardData + backwardFilter;
            var cells = new List<string> { name, role, description, Ms(forward) };
            if (training) cells.AddRange([Ms(backwardData), Ms(backwardFilter)]);
            cells.Add(F(100 * total / iterationMs, "0.0") + "%");
            cells.Add(flops > 0 && total > 0 ? F(flops / (total / 1000) / 1e9, "0.0") : "-");
            table.AddRow([.. cells.Select(c => new Text(c))]);
        }

        for (int i = 0; i < report.Layers.Count; i++)
        {
            var l = report.Layers[i];
            // The first layer computes no input gradient; every weighted layer does all three products in training.
            double products = training ? (i == 0 ? 2 : 3) : 1;
            Row(l.Name, l.Role, l.Description, l.ForwardMs, l.BackwardDataMs, l.BackwardFilterMs, 2.0 * l.Macs * products);
        }
        if (training)
        {
            Row("", "loss", "Softmax cross-entropy", report.LossMs, 0, 0, 0);
            Row("", "update", "Zero gradients, SGD step", report.UpdateMs, 0, 0, 0);
        }
        console.Write(table);
    }

    private static string Where(BenchReport report) => report.Device == "cpu" ? $"{report.Threads} threads" : $"on {report.Device}";

    /// <summary>Writes the FMA peak probe's figures.</summary>
    public static void WritePeak(PeakThroughput peak, IAnsiConsole console) =>
        console.WriteLine($"FMA peak (Vector{peak.VectorBits}): {F(peak.SingleThreadGflops, "0.0")} GFLOP/s on one thread, "
            + $"{F(peak.AllThreadsGflops, "0.0")} GFLOP/s on {peak.Threads} threads");

    private static string Ms(double milliseconds) => F(milliseconds, "0.00");

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}

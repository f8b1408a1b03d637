using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace VggSharp.Bench;

/// <summary>Runs the kernel benchmarks; pass BenchmarkDotNet's arguments, e.g. --filter '*Convolution*' or --list flat.</summary>
public static class Program
{
    // Workload names such as "reference conv3_1 128-256 k3 56x56" are longer than BenchmarkDotNet's default column width of 20.
    private const int WorkloadColumnWidth = 48;

    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args,
            DefaultConfig.Instance.WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(WorkloadColumnWidth))
                .AddColumn(new GflopsColumn()));
}

using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace VggSharp.Bench;

/// <summary>
/// Achieved GFLOP/s (2 per multiply-add, over the mean time) for workloads that count their multiply-adds: convolution
/// and GEMM, whose ceiling is the FMA peak (`vggsharp bench --peak`). Memory-bound kernels show "-".
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Achieved GFLOP/s: 2 x multiply-adds / mean time";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        long macs = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<IMultiplyAddCount>().Sum(w => w.MultiplyAdds);
        double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        // FLOPs per nanosecond are GFLOP/s.
        return macs > 0 && nanoseconds > 0 ? (2.0 * macs / nanoseconds.Value).ToString("0.0", CultureInfo.InvariantCulture) : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

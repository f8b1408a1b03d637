using VggSharp.Evaluation;

namespace VggSharp.Experiments;

/// <summary>
/// What a study trains and evaluates: the rows of its tables (with the paper's errors, arXiv:1409.1556v6, Tables 3 to
/// 6) and the model variants they need, A at S = 256 first since B to E warm-start from it.
/// </summary>
public sealed class StudyPlan
{
    private static readonly TrainingScale[] ThreeScales = [TrainingScale.Fixed256, TrainingScale.Fixed384, TrainingScale.Jittered];

    private StudyPlan(PaperTable table, IReadOnlyList<StudyRow> rows)
    {
        Table = table;
        Rows = rows;
        var needed = rows.SelectMany(row => row.Models).Distinct().ToList();
        // The warm start's source comes first, whether or not a row shows it.
        Variants = [ModelVariant.WarmStartSource, .. needed.Where(v => v != ModelVariant.WarmStartSource)];
    }

    /// <summary>The study.</summary>
    public PaperTable Table { get; }

    /// <summary>The rows, in the order of the paper's tables.</summary>
    public IReadOnlyList<StudyRow> Rows { get; }

    /// <summary>The networks to train once per seed, the warm start's source first.</summary>
    public IReadOnlyList<ModelVariant> Variants { get; }

    /// <summary>
    /// The plan of <paramref name="table"/>: Table 3 alone; Table 4 with Table 3 beside it (one test scale against
    /// several, the same networks); Table 5 alone; Table 6 with Table 5 beside it (the ensemble against its members).
    /// </summary>
    public static StudyPlan For(PaperTable table) => table switch
    {
        PaperTable.Table3 => new(table, Table3Rows()),
        PaperTable.Table4 => new(table, [.. Table3Rows(), .. Table4Rows()]),
        PaperTable.Table5 => new(table, Table5Rows()),
        PaperTable.Table6 => new(table, [.. Table5Rows(), .. Table6Rows()]),
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Unknown table."),
    };

    private static List<StudyRow> Table3Rows()
    {
        StudyRow Row(string configuration, TrainingScale scale, double top1, double top5) =>
            new(PaperTable.Table3, [new ModelVariant(configuration, scale)], MultipleTestScales: false, EvaluationProtocol.Dense, new PaperError(top1, top5));
        return
        [
            Row("A", TrainingScale.Fixed256, 29.6, 10.4),
            Row("A-LRN", TrainingScale.Fixed256, 29.7, 10.5),
            Row("B", TrainingScale.Fixed256, 28.7, 9.9),
            .. Three("C", Row, [(28.1, 9.4), (28.1, 9.3), (27.3, 8.8)]),
            .. Three("D", Row, [(27.0, 8.8), (26.8, 8.7), (25.6, 8.1)]),
            .. Three("E", Row, [(27.3, 9.0), (26.9, 8.7), (25.5, 8.0)]),
        ];
    }

    private static List<StudyRow> Table4Rows()
    {
        StudyRow Row(string configuration, TrainingScale scale, double top1, double top5) =>
            new(PaperTable.Table4, [new ModelVariant(configuration, scale)], MultipleTestScales: true, EvaluationProtocol.Dense, new PaperError(top1, top5));
        return
        [
            Row("B", TrainingScale.Fixed256, 28.2, 9.6),
            .. Three("C", Row, [(27.7, 9.2), (27.8, 9.2), (26.3, 8.2)]),
            .. Three("D", Row, [(26.6, 8.6), (26.5, 8.6), (24.8, 7.5)]),
            .. Three("E", Row, [(26.9, 8.7), (26.7, 8.6), (24.8, 7.5)]),
        ];
    }

    private static List<StudyRow> Table5Rows()
    {
        StudyRow Row(string configuration, EvaluationProtocol protocol, double top1, double top5) =>
            new(PaperTable.Table5, [new ModelVariant(configuration, TrainingScale.Jittered)], MultipleTestScales: true, protocol, new PaperError(top1, top5));
        return
        [
            Row("D", EvaluationProtocol.Dense, 24.8, 7.5),
            Row("D", EvaluationProtocol.MultiCrop, 24.6, 7.5),
            Row("D", EvaluationProtocol.DenseAndMultiCrop, 24.4, 7.2),
            Row("E", EvaluationProtocol.Dense, 24.8, 7.5),
            Row("E", EvaluationProtocol.MultiCrop, 24.6, 7.4),
            Row("E", EvaluationProtocol.DenseAndMultiCrop, 24.4, 7.1),
        ];
    }

    private static List<StudyRow> Table6Rows()
    {
        ModelVariant[] pair = [new("D", TrainingScale.Jittered), new("E", TrainingScale.Jittered)];
        StudyRow Row(EvaluationProtocol protocol, double top1, double top5) =>
            new(PaperTable.Table6, pair, MultipleTestScales: true, protocol, new PaperError(top1, top5));
        return
        [
            Row(EvaluationProtocol.Dense, 24.0, 7.1),
            Row(EvaluationProtocol.MultiCrop, 23.9, 7.2),
            Row(EvaluationProtocol.DenseAndMultiCrop, 23.7, 6.8),
        ];
    }

    /// <summary>A configuration's rows at S = 256, 384 and [256;512], with the paper's errors in that order.</summary>
    private static IEnumerable<StudyRow> Three(string configuration, Func<string, TrainingScale, double, double, StudyRow> row, (double Top1, double Top5)[] paper) =>
        ThreeScales.Select((scale, i) => row(configuration, scale, paper[i].Top1, paper[i].Top5));
}

namespace VggSharp.Experiments;

/// <summary>The paper's experiments (section 4), each a study <see cref="ExperimentRunner"/> reproduces.</summary>
public enum PaperTable
{
    /// <summary>Table 3: every configuration at a single test scale; A, A-LRN and B at one training scale, C, D and E at two and with scale jittering.</summary>
    Table3,

    /// <summary>Table 4: B to E at several test scales (Table 3's rows beside them).</summary>
    Table4,

    /// <summary>Table 5: dense against multi-crop evaluation and both, for the jittered D and E.</summary>
    Table5,

    /// <summary>Table 6: the ensemble of the jittered D and E under the three protocols (Table 5's rows beside it).</summary>
    Table6,
}

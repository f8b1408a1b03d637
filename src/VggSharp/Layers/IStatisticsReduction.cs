namespace VggSharp.Layers;

/// <summary>
/// Adds up per-channel statistics across the processes of a data-parallel job, so that batch norm normalises with the
/// statistics of the whole global batch rather than each process's part of it (synchronised batch norm). It is a
/// collective operation: every process calls it the same number of times, in the same order, with as many values.
/// </summary>
public interface IStatisticsReduction
{
    /// <summary>Replaces each value with its sum over all processes.</summary>
    void Sum(Span<double> values);
}

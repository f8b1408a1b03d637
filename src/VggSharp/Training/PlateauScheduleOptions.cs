namespace VggSharp.Training;

/// <summary>
/// Options of <see cref="LearningRateSchedule"/>. The defaults follow section 3.1 of the paper: start at 0.01, divide by
/// 10 when validation accuracy stops improving, three times in all, then stop (the paper stopped after 74 epochs).
/// </summary>
public sealed record PlateauScheduleOptions
{
    /// <summary>The learning rate of the first epoch. Default 0.01.</summary>
    public double InitialLearningRate { get; init; } = 0.01;

    /// <summary>The learning rate is divided by this at each plateau. Default 10.</summary>
    public double Factor { get; init; } = 10;

    /// <summary>
    /// Consecutive epochs without improvement that make a plateau. Default 2: one epoch of no progress is often noise
    /// in validation accuracy, two rarely are; 1 reacts at the first flat epoch, as literally as the paper reads.
    /// </summary>
    public int Patience { get; init; } = 2;

    /// <summary>
    /// How much validation top-1 accuracy (a fraction: 0.001 is 0.1 percentage point) must rise above the best so far
    /// to count as an improvement; an equal accuracy never does. Default 0.001.
    /// </summary>
    public double MinImprovement { get; init; } = 0.001;

    /// <summary>The number of reductions; the next plateau after the last one ends training. Default 3.</summary>
    public int MaxReductions { get; init; } = 3;

    /// <summary>Training stops after this many epochs whatever the accuracy. Default 74, as the paper's.</summary>
    public int MaxEpochs { get; init; } = 74;

    /// <summary>
    /// The last this-many epochs before <see cref="MaxEpochs"/> run at a rate divided once more, unless the plateau rule
    /// divides it at that same epoch or no reduction is left, so that a run its epoch limit cuts short still ends on
    /// a lowered rate. Default 0: the paper's rule alone.
    /// </summary>
    public int AnnealEpochs { get; init; }

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (!(InitialLearningRate > 0) || double.IsInfinity(InitialLearningRate)) throw new ArgumentException($"The initial learning rate must be positive and finite, got {InitialLearningRate}.");
        if (!(Factor > 1) || double.IsInfinity(Factor)) throw new ArgumentException($"The reduction factor must be greater than 1 and finite, got {Factor}.");
        if (Patience < 1) throw new ArgumentException($"Patience must be at least 1 epoch, got {Patience}.");
        if (!(MinImprovement >= 0 && MinImprovement < 1)) throw new ArgumentException($"The minimum improvement must be in [0, 1), got {MinImprovement}.");
        if (MaxReductions < 0) throw new ArgumentException($"The number of reductions must be non-negative, got {MaxReductions}.");
        if (MaxEpochs < 1) throw new ArgumentException($"The epoch limit must be at least 1, got {MaxEpochs}.");
        if (AnnealEpochs < 0) throw new ArgumentException($"The number of annealed epochs must be non-negative, got {AnnealEpochs}.");
    }
}

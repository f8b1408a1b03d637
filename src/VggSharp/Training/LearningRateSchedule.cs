namespace VggSharp.Training;

/// <summary>
/// The paper's learning-rate policy (section 3.1): "the learning rate was decreased by a factor of 10 when the
/// validation set accuracy stopped improving", three times in all. After each epoch the trainer reports validation
/// top-1 accuracy to <see cref="Observe"/>; <see cref="PlateauScheduleOptions.Patience"/> epochs in a row without an
/// improvement of more than <see cref="PlateauScheduleOptions.MinImprovement"/> over the best so far divide the rate by
/// <see cref="PlateauScheduleOptions.Factor"/>. The best accuracy is kept across a reduction (as in PyTorch's
/// ReduceLROnPlateau), so the lower rate has to beat it. With <see cref="PlateauScheduleOptions.AnnealEpochs"/>, the
/// epoch that leaves that many before the limit divides the rate too. A plateau after the last reduction, or the epoch
/// limit, stops training. Pure logic: its whole state is <see cref="State"/>, which a checkpoint stores.
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>Starts a schedule, or resumes one from a checkpoint's <paramref name="state"/>.</summary>
    public LearningRateSchedule(PlateauScheduleOptions? options = null, LearningRateScheduleState? state = null)
    {
        Options = options ?? new PlateauScheduleOptions();
        Options.Validate();
        State = state ?? LearningRateScheduleState.Initial(Options);
        if (!(State.LearningRate > 0) || State.EpochsObserved < 0 || State.Reductions < 0 || State.EpochsSinceImprovement < 0)
            throw new ArgumentException($"The schedule state {State} is not one a schedule can reach.", nameof(state));
    }

    /// <summary>The options.</summary>
    public PlateauScheduleOptions Options { get; }

    /// <summary>The current state.</summary>
    public LearningRateScheduleState State { get; private set; }

    /// <summary>The learning rate for the next epoch.</summary>
    public double LearningRate => State.LearningRate;

    /// <summary>Whether training should stop.</summary>
    public bool ShouldStop => State.Stop != ScheduleStop.None;

    /// <summary>Records the validation top-1 accuracy (a fraction in [0, 1]) of the epoch just finished and decides what comes next.</summary>
    public ScheduleDecision Observe(double validationAccuracy)
    {
        if (!(validationAccuracy >= 0 && validationAccuracy <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationAccuracy), validationAccuracy, "Validation accuracy is a fraction in [0, 1].");
        if (ShouldStop) throw new InvalidOperationException($"The schedule has already stopped training ({State.Stop}).");

        var s = State;
        int epoch = s.EpochsObserved + 1;
        bool improved = s.BestAccuracy is not double best || validationAccuracy > best + Options.MinImprovement;
        s = improved
            ? s with { EpochsObserved = epoch, BestAccuracy = validationAccuracy, BestEpoch = epoch, EpochsSinceImprovement = 0 }
            : s with { EpochsObserved = epoch, EpochsSinceImprovement = s.EpochsSinceImprovement + 1 };

        var decision = ScheduleDecision.Continue;
        bool plateau = s.EpochsSinceImprovement >= Options.Patience;
        bool annealFromHere = Options.AnnealEpochs > 0 && epoch == Options.MaxEpochs - Options.AnnealEpochs;
        if (s.Reductions < Options.MaxReductions && (plateau || annealFromHere))
        {
            // The wait starts again so the new rate gets its full patience.
            s = s with { LearningRate = s.LearningRate / Options.Factor, Reductions = s.Reductions + 1, EpochsSinceImprovement = 0 };
            decision = plateau ? ScheduleDecision.Reduced : ScheduleDecision.Annealed;
        }
        else if (plateau)
        {
            s = s with { Stop = ScheduleStop.Plateau };
        }
        if (s.Stop == ScheduleStop.None && epoch >= Options.MaxEpochs) s = s with { Stop = ScheduleStop.EpochLimit };
        State = s;
        return s.Stop != ScheduleStop.None ? ScheduleDecision.Stop : decision;
    }
}

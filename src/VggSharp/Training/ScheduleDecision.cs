namespace VggSharp.Training;

/// <summary>What <see cref="LearningRateSchedule.Observe"/> decided after an epoch.</summary>
public enum ScheduleDecision
{
    /// <summary>Go on with the same learning rate.</summary>
    Continue,

    /// <summary>Validation accuracy stopped improving: the learning rate was divided; go on with the new one.</summary>
    Reduced,

    /// <summary>The last epochs before the limit begin (<see cref="PlateauScheduleOptions.AnnealEpochs"/>): the learning rate was divided; go on with the new one.</summary>
    Annealed,

    /// <summary>Stop training (see <see cref="LearningRateScheduleState.Stop"/> for why).</summary>
    Stop,
}

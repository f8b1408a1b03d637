namespace VggSharp.Training;

/// <summary>What <see cref="LearningRateSchedule.Observe"/> decided after an epoch.</summary>
public enum ScheduleDecision
{
    /// <summary>Go on with the same learning rate.</summary>
    Continue,

    /// <summary>The learning rate was divided; go on with the new one.</summary>
    Reduced,

    /// <summary>Stop training (see <see cref="LearningRateScheduleState.Stop"/> for why).</summary>
    Stop,
}

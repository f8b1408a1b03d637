namespace VggSharp.Training;

/// <summary>
/// What rank 0 of a data-parallel job tells the other ranks before training: the run's settings and position, and
/// what they must find on their side (the data set's sizes and classes, the state's entries), or why it could not start.
/// </summary>
internal sealed record ReplicaSetup
{
    /// <summary>Why rank 0 could not start the run; null when it did.</summary>
    public string? Error { get; init; }

    public TrainingOptions? Options { get; init; }

    /// <summary>The model's options, as the model file's metadata.</summary>
    public Dictionary<string, string>? Model { get; init; }

    public SgdOptions? Optimizer { get; init; }

    public LearningRateScheduleState? Schedule { get; init; }

    public TrainingPosition? Position { get; init; }

    public EpochProgress? Progress { get; init; }

    public int TrainImages { get; init; }

    public int ValidationImages { get; init; }

    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Each state entry (model, then momentum) as "key [shape]", in the order their bytes follow.</summary>
    public IReadOnlyList<string>? State { get; init; }
}

namespace VggSharp.Distributed;

/// <summary>How a training run is spread over the processes of a synchronous data-parallel job.</summary>
public sealed record DistributedOptions
{
    /// <summary>The job's processes; rank 0 reads and writes the run directory, the others follow it.</summary>
    public required ICommunicator Communicator { get; init; }

    /// <summary>The largest gradient bucket summed by one operation, in bytes (<see cref="GradientReducer"/>).</summary>
    public int BucketBytes { get; init; } = GradientReducer.DefaultBucketBytes;
}

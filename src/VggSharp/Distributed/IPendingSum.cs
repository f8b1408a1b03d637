namespace VggSharp.Distributed;

/// <summary>A sum started by <see cref="ICommunicator.StartSum"/>.</summary>
public interface IPendingSum
{
    /// <summary>Lets the sum make progress without blocking; true once it is complete.</summary>
    bool Poll();

    /// <summary>Blocks until the sum is complete.</summary>
    void Wait();
}

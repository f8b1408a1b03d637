namespace VggSharp.Training;

/// <summary>The loss became NaN or infinite; training stopped, and the checkpoint written before, if any, was kept.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

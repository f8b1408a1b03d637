namespace VggSharp.Evaluation;

/// <summary>
/// A network's output was NaN or infinite: finite weights that overflow on an input, or inputs out of any sensible
/// range. Such an output is no prediction, so it is an error rather than a score or a class.
/// </summary>
public sealed class NonFiniteOutputException(string message) : ArithmeticException(message);

namespace VggSharp.Interop;

/// <summary>
/// A weights file that is malformed or does not fit the model it is loaded into. The message names the file and
/// the problem ("truncated: header says 1234 bytes but only 56 remain", "missing key features.3.weight").
/// </summary>
public sealed class WeightsFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/> and a description of what is wrong.</summary>
    public WeightsFormatException(string path, string problem, Exception? innerException = null)
        : base($"{path}: {problem}", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}

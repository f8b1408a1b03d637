namespace VggSharp.Data;

/// <summary>An image or data file that cannot be read: truncated, corrupt, not an image, or of an unsupported kind.</summary>
public sealed class ImageFormatException : Exception
{
    /// <summary>Creates the exception; the message is "{source}: {reason}".</summary>
    public ImageFormatException(string source, string reason, Exception? inner = null) : base($"{source}: {reason}", inner)
    {
        Source = source;
        Reason = reason;
    }

    /// <summary>The file (or file and record) that is bad.</summary>
    public new string Source { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}

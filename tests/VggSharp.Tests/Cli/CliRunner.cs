using Xunit;
using CliEntry = VggSharp.Cli.Cli;

namespace VggSharp.Tests.Cli;

/// <summary>What one in-process run of the vggsharp CLI produced.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>The non-empty lines written to standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The one line written to standard error, asserted to be an "error: " line, as the CLI reports every failure.</summary>
    public string SingleErrorLine()
    {
        var line = Assert.Single(ErrorLines);
        Assert.StartsWith("error: ", line);
        return line;
    }
}

/// <summary>Runs the CLI in-process with captured output, so the tests need no published executable.</summary>
public static class CliRunner
{
    /// <summary>Runs "vggsharp <paramref name="args"/>".</summary>
    public static CliResult Run(params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        int exitCode = CliEntry.Run(args, output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

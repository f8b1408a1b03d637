using System.CommandLine;
using VggSharp.Cli.Commands;
using VggSharp.Data;
using VggSharp.Interop;

namespace VggSharp.Cli;

/// <summary>
/// The command tree and its error policy: every failure, whether a parse error or an exception from the library,
/// becomes one "error: ..." line on the error writer and a non-zero exit code, never a stack trace.
/// </summary>
internal static class Cli
{
    /// <summary>The command ran to completion.</summary>
    public const int Success = 0;

    /// <summary>The command was well formed but could not be carried out (bad values, unreadable files...).</summary>
    public const int Failure = 1;

    /// <summary>The command line itself was wrong (unknown option, missing or unparsable value).</summary>
    public const int UsageError = 2;

    /// <summary>Stopped by Ctrl-C or SIGTERM (128 + SIGINT); train saves its checkpoint first.</summary>
    public const int Interrupted = 130;

    /// <summary>Parses and runs <paramref name="args"/>, writing results to <paramref name="output"/> and errors to <paramref name="error"/>.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parseResult = CreateRootCommand().Parse(args);
        // Help and version clear parse errors (so "info --help" works without --config); anything else with errors stops here.
        if (parseResult.Errors.Count > 0 && parseResult.Action is not { ClearsParseErrors: true })
        {
            string command = parseResult.CommandResult.Command is RootCommand ? "vggsharp" : $"vggsharp {parseResult.CommandResult.Command.Name}";
            error.WriteLine($"error: {Sentence(FirstError(parseResult))} See '{command} --help'.");
            return UsageError;
        }
        try
        {
            return parseResult.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException or InvalidDataException
            or WeightsFormatException or ImageFormatException or Evaluation.NonFiniteOutputException)
        {
            error.WriteLine($"error: {OneLine(e.Message)}");
            return Failure;
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C in eval, predict or bench: nothing half-written to report, just the conventional status.
            error.WriteLine("error: interrupted");
            return Interrupted;
        }
        catch (Exception e)
        {
            error.WriteLine($"error: unexpected {e.GetType().Name}: {OneLine(e.Message)}");
            return Failure;
        }
    }

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand CreateRootCommand() =>
        new("VggSharp: VGG networks (Simonyan & Zisserman, ICLR 2015) in C#.")
        {
            InfoCommand.Create(),
            TrainCommand.Create(),
            ExperimentCommand.Create(),
            EvalCommand.Create(),
            PredictCommand.Create(),
            BenchCommand.Create(),
            ConvertCommand.Create(),
            FeaturesCommand.Create(),
            TransferCommand.Create(),
            LocalisationDataCommand.Create(),
        };

    // A mistyped word ("vggsharp inf") explains more than the "Required command was not provided." that comes with it.
    private static string FirstError(ParseResult parseResult) =>
        (parseResult.Errors.FirstOrDefault(e => parseResult.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)))
            ?? parseResult.Errors[0]).Message;

    private static string Sentence(string message)
    {
        string line = OneLine(message);
        return line.EndsWith('.') ? line : line + ".";
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

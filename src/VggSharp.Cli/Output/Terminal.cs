using Spectre.Console;

namespace VggSharp.Cli.Output;

/// <summary>Spectre.Console consoles that use colour and terminal width only on a real terminal.</summary>
internal static class Terminal
{
    // Redirected output has no width to detect; this is wide enough that no summary row wraps.
    private const int RedirectedWidth = 160;

    /// <summary>
    /// A console writing to <paramref name="writer"/>. Only the process's own, non-redirected standard output gets
    /// ANSI sequences; pipes, files and in-process writers get plain text.
    /// </summary>
    public static IAnsiConsole For(TextWriter writer)
    {
        bool terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = RedirectedWidth;
        return console;
    }
}

using System.CommandLine;

namespace VggSharp.Cli.Options;

/// <summary>
/// An option whose value is one of <typeparamref name="T"/>'s names, written in lower case and accepted in any case.
/// Anything else is a command-line error that names the option and its choices, e.g. "--head must be one of paper,
/// small, got 'big'.".
/// </summary>
internal sealed class EnumOption<T> where T : struct, Enum
{
    private static readonly string[] Names = [.. Enum.GetNames<T>().Select(n => n.ToLowerInvariant())];

    /// <summary>An option called <paramref name="name"/> whose value is <paramref name="defaultValue"/> unless given.</summary>
    public EnumOption(string name, string description, T defaultValue)
    {
        Option = new(name)
        {
            Description = description,
            HelpName = string.Join('|', Names),
            DefaultValueFactory = _ => defaultValue.ToString().ToLowerInvariant(),
        };
        // A name, not Enum.TryParse, decides: that would also take numbers such as "7".
        Option.Validators.Add(result =>
        {
            string? text = result.GetValueOrDefault<string>();
            if (!Names.Contains(text, StringComparer.OrdinalIgnoreCase)) result.AddError($"{name} must be one of {string.Join(", ", Names)}, got '{text}'.");
        });
    }

    /// <summary>The option to add to a command.</summary>
    public Option<string> Option { get; }

    /// <summary>The value the command line gives (checked when it was parsed).</summary>
    public T Read(ParseResult parseResult) => Enum.Parse<T>(parseResult.GetRequiredValue(Option), ignoreCase: true);
}

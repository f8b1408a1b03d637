using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace VggSharp.Cli.Options;

/// <summary>
/// --class-subset: some of the data's classes by index, as a list with ranges ("5-9", "0,2,4", "0-4,7"), renumbered 0, 1, ...
/// in the order given; shared by train, features and transfer.
/// </summary>
internal static class ClassSubsetOption
{
    public static Option<int[]?> Create(string purpose) => new("--class-subset")
    {
        Description = $"{purpose} only these classes of the data, by index (0-based, as the class list is sorted), e.g. 0-4 or 5,6,7; "
            + "they are renumbered 0, 1, ... in the order given.",
        HelpName = "i-j,k",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = Parse,
    };

    /// <summary>The classes given, or null (every class) when the option is absent, for which System.CommandLine gives an empty list.</summary>
    public static int[]? Read(ParseResult parseResult, Option<int[]?> option) => parseResult.GetValue(option) is { Length: > 0 } classes ? classes : null;

    private static int[]? Parse(ArgumentResult result)
    {
        string text = result.Tokens.Single().Value;
        var classes = new List<int>();
        foreach (string part in text.Split(','))
        {
            string[] ends = part.Trim().Split('-');
            if (ends.Length is < 1 or > 2 || !ends.All(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                result.AddError($"Cannot parse '{text}' as classes: give class indices and ranges separated by commas, e.g. 0-4 or 5,6,7.");
                return null;
            }
            int first = int.Parse(ends[0], CultureInfo.InvariantCulture), last = int.Parse(ends[^1], CultureInfo.InvariantCulture);
            if (last < first || last - first > 100_000)
            {
                result.AddError($"The class range {part.Trim()} is empty or too long.");
                return null;
            }
            for (int c = first; c <= last; c++) classes.Add(c);
        }
        return [.. classes];
    }
}

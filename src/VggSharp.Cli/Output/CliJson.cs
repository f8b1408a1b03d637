using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VggSharp.Cli.Output;

/// <summary>The form of every command's --json output: snake_case keys, indented, one object per run.</summary>
internal static class CliJson
{
    /// <summary>Options for a report's source-generated context (pass them to its constructor); <paramref name="omitNulls"/> leaves out null fields.</summary>
    public static JsonSerializerOptions Options(bool omitNulls = false) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = omitNulls ? JsonIgnoreCondition.WhenWritingNull : JsonIgnoreCondition.Never,
        // Paths, class names and "Conv2d 3→64" stay readable; the output goes to a terminal or a file, never into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

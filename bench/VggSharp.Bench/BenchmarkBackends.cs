using VggSharp.Kernels;

namespace VggSharp.Bench;

/// <summary>The backends the benchmarks measure, by the name shown in the results.</summary>
public static class BenchmarkBackends
{
    /// <summary>
    /// The optimised backend: whatever <see cref="Backends.Default"/> is, which the SIMD backend becomes when it lands,
    /// so these benchmarks follow it without edits.
    /// </summary>
    public const string Fast = "fast";

    /// <summary>The plain-loop oracle; only for shapes small enough to finish.</summary>
    public const string Reference = "reference";

    /// <summary>Both, for the small shapes.</summary>
    public static IReadOnlyList<string> All { get; } = [Fast, Reference];

    /// <summary>The backend a benchmark parameter names.</summary>
    public static IBackend Resolve(string name) => name switch
    {
        Fast => Backends.Default,
        Reference => Backends.Reference,
        _ => throw new ArgumentException($"Unknown benchmark backend '{name}'.", nameof(name)),
    };
}

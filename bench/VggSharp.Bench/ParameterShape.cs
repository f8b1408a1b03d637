namespace VggSharp.Bench;

/// <summary>A parameter tensor of <paramref name="Length"/> floats, named by its network and layer.</summary>
public sealed record ParameterShape(string Name, int Length)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name} {Length}";
}

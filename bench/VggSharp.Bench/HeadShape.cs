namespace VggSharp.Bench;

/// <summary>A classifier head on a batch: its hidden activations (what dropout multiplies) and its logits.</summary>
public sealed record HeadShape(string Network, int Batch, int HiddenUnits, int Classes)
{
    /// <summary>The head of <paramref name="network"/>'s options on a batch.</summary>
    public static HeadShape Of(string network, Models.VggOptions options, int batch) => new(network, batch, options.EffectiveHiddenUnits, options.Classes);

    /// <inheritdoc />
    public override string ToString() => $"{Network} {Batch}x{HiddenUnits} {Classes} classes";
}

namespace VggSharp.Training;

/// <summary>Hyper-parameters of <see cref="SgdOptimizer"/>; the defaults are the paper's (section 3.1).</summary>
public sealed record SgdOptions
{
    /// <summary>Momentum coefficient. Default 0.9.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>L2 weight decay, applied only to parameters whose <see cref="Layers.Parameter.Decays"/> is set. Default 5e-4.</summary>
    public float WeightDecay { get; init; } = 5e-4f;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentException($"Momentum must be in [0, 1), got {Momentum}.");
        if (!(WeightDecay >= 0) || float.IsInfinity(WeightDecay)) throw new ArgumentException($"Weight decay must be finite and non-negative, got {WeightDecay}.");
    }
}

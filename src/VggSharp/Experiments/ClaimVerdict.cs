namespace VggSharp.Experiments;

/// <summary>How one of the paper's conclusions fares in a study.</summary>
public enum ClaimVerdict
{
    /// <summary>Every comparison goes the paper's way by more than the seed-to-seed noise.</summary>
    Holds,

    /// <summary>No comparison goes against the paper by more than the noise, but not all go its way by more than it.</summary>
    WithinNoise,

    /// <summary>At least one comparison goes against the paper by more than the noise.</summary>
    DoesNotHold,
}

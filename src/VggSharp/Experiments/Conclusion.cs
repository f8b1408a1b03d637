namespace VggSharp.Experiments;

/// <summary>One of the paper's conclusions, the comparisons of rows that test it here and the verdict.</summary>
/// <param name="Claim">The conclusion in words, as the paper draws it.</param>
/// <param name="Comparisons">The row comparisons, each "the first row's error is lower".</param>
/// <param name="NoWorse">
/// The claim is that the better row is no worse (LRN does not help), so a difference within the noise supports it;
/// otherwise the claim is that it is better.
/// </param>
public sealed record Conclusion(string Claim, IReadOnlyList<Comparison> Comparisons, bool NoWorse = false)
{
    /// <summary>Whether the claim holds here: <see cref="ClaimVerdict.DoesNotHold"/> when any comparison goes against it beyond the noise.</summary>
    public ClaimVerdict Verdict
    {
        get
        {
            if (Comparisons.Any(c => c.Verdict == ClaimVerdict.DoesNotHold)) return ClaimVerdict.DoesNotHold;
            return NoWorse || Comparisons.All(c => c.Verdict == ClaimVerdict.Holds) ? ClaimVerdict.Holds : ClaimVerdict.WithinNoise;
        }
    }

    /// <summary>Whether the paper's own numbers bear the claim out in every comparison (a tie counts for "no worse").</summary>
    public bool HoldsInPaper => Comparisons.All(c => NoWorse ? c.PaperDifference >= 0 : c.PaperDifference > 0);
}

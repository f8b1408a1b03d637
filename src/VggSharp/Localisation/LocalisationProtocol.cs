namespace VggSharp.Localisation;

/// <summary>The paper's two ways of testing a localisation network (Appendix A).</summary>
public enum LocalisationProtocol
{
    /// <summary>The central crop at each test scale: one box per class and scale (the paper's comparison of the variants).</summary>
    Centre,

    /// <summary>
    /// The network applied fully-convolutionally over the whole image at each test scale: a box per class from every
    /// window, weighted by the classifier's posterior for that window and merged greedily (<see cref="GreedyBoxMerge"/>).
    /// </summary>
    Dense,
}

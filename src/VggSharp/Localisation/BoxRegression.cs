namespace VggSharp.Localisation;

/// <summary>The paper's two box heads (Appendix A).</summary>
public enum BoxRegression
{
    /// <summary>Single-class regression (SCR): one box, shared by all classes; 4 outputs.</summary>
    SingleClass,

    /// <summary>Per-class regression (PCR): one box per class; 4 x classes outputs, the ground-truth class's trained.</summary>
    PerClass,
}

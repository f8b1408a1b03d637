namespace VggSharp.Transfer;

/// <summary>How a descriptor combines its test scales (the paper's Appendix B).</summary>
public enum FeatureAggregation
{
    /// <summary>The scales' descriptors averaged, as for VOC: the descriptor keeps the layer's width.</summary>
    Mean,

    /// <summary>The scales' descriptors concatenated in the order of the scales, as for Caltech: one block per scale.</summary>
    Stack,
}

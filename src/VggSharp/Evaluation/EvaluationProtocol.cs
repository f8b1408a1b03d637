namespace VggSharp.Evaluation;

/// <summary>The paper's test-time protocols (section 3.2, Tables 3 to 6); each runs at every test scale Q and averages the softmax posteriors.</summary>
public enum EvaluationProtocol
{
    /// <summary>One centre crop of the network's input size from the image rescaled to Q.</summary>
    Center,

    /// <summary>
    /// The fully-convolutional network over the whole image rescaled to Q: the class score map is averaged spatially,
    /// passed through softmax, and averaged with the same for the horizontally flipped image.
    /// </summary>
    Dense,

    /// <summary>A regular 5x5 grid of crops and their horizontal flips (50 crops per scale), averaging their softmax.</summary>
    MultiCrop,

    /// <summary>The average of the <see cref="Dense"/> and <see cref="MultiCrop"/> posteriors (Table 5's combination).</summary>
    DenseAndMultiCrop,
}

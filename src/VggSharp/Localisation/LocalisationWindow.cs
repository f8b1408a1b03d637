using VggSharp.Data.Transforms;

namespace VggSharp.Localisation;

/// <summary>
/// One window the localisation network saw: where it lies in the image rescaled to <paramref name="Scale"/>, the box
/// head's outputs for it, and the classifier's posterior for the same window (null without a classifier).
/// </summary>
/// <param name="Scale">The test scale Q.</param>
/// <param name="Region">The window in the rescaled image.</param>
/// <param name="Outputs">The box head's outputs (4, or 4 per class).</param>
/// <param name="Posterior">The classifier's posterior for the window, or null.</param>
internal sealed record LocalisationWindow(int Scale, PixelRegion Region, float[] Outputs, float[]? Posterior);

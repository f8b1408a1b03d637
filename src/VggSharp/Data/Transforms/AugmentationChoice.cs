namespace VggSharp.Data.Transforms;

/// <summary>What the training transform drew for one sample: useful for logging and tests.</summary>
/// <param name="Scale">The training scale S: the rescaled image's smallest side.</param>
/// <param name="Crop">The crop within the rescaled image.</param>
/// <param name="Flipped">Whether the crop was mirrored left to right.</param>
public readonly record struct AugmentationChoice(int Scale, PixelRegion Crop, bool Flipped);

using VggSharp.Data;
using VggSharp.Data.Transforms;

namespace VggSharp.Localisation;

/// <summary>
/// The loader's box targets for training: each image's box (<see cref="LocalisationDataset.TrainingBox"/>) moved
/// through the scale, crop and flip that the training transform draws for the sample's key
/// (<see cref="TrainingTransform.Choose"/> is a pure function of it), clipped to the crop and encoded
/// (<see cref="BoxEncoding"/>).
/// </summary>
public sealed class BoxTargets(LocalisationDataset dataset, TrainingTransform transform) : ISampleTargets
{
    /// <inheritdoc />
    public int Length => BoxEncoding.Length;

    /// <inheritdoc />
    public void Write(int index, DecodedImage image, ulong sampleKey, Span<float> destination)
    {
        var box = dataset.TrainingBox(index, image);
        var choice = transform.Choose(image.Width, image.Height, sampleKey);
        BoxEncoding.Encode(BoxGeometry.ToCrop(box, image.Width, image.Height, choice), transform.Options.CropSize, destination);
    }
}

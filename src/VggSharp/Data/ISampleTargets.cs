namespace VggSharp.Data;

/// <summary>
/// Per-sample regression targets that the loader prepares beside the images (a bounding box moved with the sample's
/// augmentation, say), into <see cref="Batch.Targets"/>.
/// </summary>
public interface ISampleTargets
{
    /// <summary>The number of values per sample.</summary>
    int Length { get; }

    /// <summary>
    /// Writes the targets of data set image <paramref name="index"/>, decoded as <paramref name="image"/> and augmented
    /// with <paramref name="sampleKey"/> by the loader's transform, into <paramref name="destination"/> (<see cref="Length"/>
    /// values). Throws <see cref="ImageFormatException"/> when the sample's targets cannot be read; the sample is then
    /// left out as a bad image. Must be safe to call from several threads at once.
    /// </summary>
    void Write(int index, DecodedImage image, ulong sampleKey, Span<float> destination);
}

namespace VggSharp.Data;

/// <summary>Turns one decoded image into the network's input for one sample (CHW floats, preprocessing applied).</summary>
public interface ISampleTransform
{
    /// <summary>Channels of the output.</summary>
    int Channels { get; }

    /// <summary>Height of the output.</summary>
    int Height { get; }

    /// <summary>Width of the output.</summary>
    int Width { get; }

    /// <summary>The smallest short side the transform rescales to, so decoders may decode smaller (JPEG DCT scaling); null when unknown.</summary>
    int? ShortSideHint { get; }

    /// <summary>
    /// Writes the input for one sample into <paramref name="destination"/> (Channels x Height x Width). Every random
    /// choice is drawn from <paramref name="sampleKey"/>, so a sample's augmentation does not depend on which thread
    /// or process prepares it. Must be safe to call from several threads at once.
    /// </summary>
    void Apply(DecodedImage image, ulong sampleKey, Span<float> destination);
}

using System.Runtime.CompilerServices;
using VggSharp.Models;

namespace VggSharp.Data.Transforms;

/// <summary>
/// The one path from rescaled float pixels to the network's input, shared by training and evaluation: cut a region,
/// mirror it if asked, replicate gray to a colour model, add the colour shift, reorder to BGR if the model wants it,
/// and apply the model's <see cref="Preprocessing"/>, writing planar CHW.
/// </summary>
internal static class NetworkInput
{
    /// <summary>Throws unless an image with <paramref name="imageChannels"/> can feed a <paramref name="modelChannels"/>-channel model.</summary>
    public static void CheckChannels(int imageChannels, int modelChannels)
    {
        if (modelChannels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(modelChannels), $"Models take 1 or 3 channels, got {modelChannels}.");
        if (imageChannels == 3 && modelChannels == 1)
            throw new ArgumentException("An RGB image cannot feed a 1-channel (grayscale) model; convert the data set to grayscale first.");
    }

    /// <summary>
    /// Writes <paramref name="region"/> of <paramref name="source"/> (HWC, 0-255, <paramref name="sourceWidth"/> wide)
    /// as the CHW input of a <paramref name="modelChannels"/>-channel model. <paramref name="colourOffset"/> is empty or
    /// one value per model channel in RGB order, added to the pixels before preprocessing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(ReadOnlySpan<float> source, int sourceWidth, int sourceChannels, PixelRegion region, bool flip,
        ReadOnlySpan<float> colourOffset, Preprocessing preprocessing, int modelChannels, Span<float> destination)
    {
        CheckChannels(sourceChannels, modelChannels);
        region.CheckInside(sourceWidth, source.Length / (sourceWidth * sourceChannels));
        int plane = region.Width * region.Height;
        if (destination.Length != modelChannels * plane)
            throw new ArgumentException($"The destination holds {destination.Length} values; a {modelChannels}x{region.Height}x{region.Width} input needs {modelChannels * plane}.");
        if (colourOffset.Length is not 0 && colourOffset.Length != modelChannels)
            throw new ArgumentException($"{colourOffset.Length} colour offsets for a {modelChannels}-channel model.");

        for (int c = 0; c < modelChannels; c++)
        {
            int rgb = preprocessing.Bgr ? 2 - c : c;
            int sourceChannel = sourceChannels == 1 ? 0 : rgb;
            float offset = colourOffset.IsEmpty ? 0f : colourOffset[rgb];
            // (pixel + offset) * scale - mean) / std, folded into one multiply-add per value.
            float a = preprocessing.PixelScale / preprocessing.Std[c];
            float b = (offset * preprocessing.PixelScale - preprocessing.Mean[c]) / preprocessing.Std[c];
            Span<float> target = destination.Slice(c * plane, plane);
            for (int y = 0; y < region.Height; y++)
            {
                ReadOnlySpan<float> row = source.Slice(((region.Y + y) * sourceWidth + region.X) * sourceChannels, region.Width * sourceChannels);
                Span<float> output = target.Slice(y * region.Width, region.Width);
                if (flip)
                    for (int x = 0; x < output.Length; x++) output[x] = row[(output.Length - 1 - x) * sourceChannels + sourceChannel] * a + b;
                else
                    for (int x = 0; x < output.Length; x++) output[x] = row[x * sourceChannels + sourceChannel] * a + b;
            }
        }
    }
}

using System.Runtime.ExceptionServices;
using VggSharp.Data;

namespace VggSharp.Evaluation;

/// <summary>A run of consecutive images, decoded and rescaled for an ensemble, with their labels; the bad ones set aside.</summary>
internal sealed class PreparedStep
{
    private PreparedStep(List<RescaledImage> images, List<int> labels, List<BadImage> badImages) =>
        (Images, Labels, BadImages) = (images, labels, badImages);

    /// <summary>The usable images, in data set order.</summary>
    public IReadOnlyList<RescaledImage> Images { get; }

    /// <summary>The label of each usable image.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The images that could not be decoded, in data set order.</summary>
    public IReadOnlyList<BadImage> BadImages { get; }

    /// <summary>Decodes and rescales images <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1 in parallel.</summary>
    public static PreparedStep Load(IImageDataset data, int start, int count, Ensemble ensemble, ParallelOptions parallel)
    {
        var rescaled = new RescaledImage?[count];
        var reasons = new ImageFormatException?[count];
        try
        {
            Parallel.For(0, count, parallel, i =>
            {
                try
                {
                    rescaled[i] = ensemble.Rescale(data.Load(start + i, ensemble.SmallestScale));
                }
                catch (ImageFormatException e)
                {
                    reasons[i] = e;
                }
            });
        }
        catch (AggregateException e)
        {
            // Anything but a bad image (an RGB image for a grayscale model, say) stops the evaluation: report the first as itself.
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        var images = new List<RescaledImage>(count);
        var labels = new List<int>(count);
        var bad = new List<BadImage>();
        for (int i = 0; i < count; i++)
        {
            if (reasons[i] is { } e) bad.Add(new BadImage(start + i, e.Source, e.Reason));
            else
            {
                images.Add(rescaled[i]!);
                labels.Add(data.LabelOf(start + i));
            }
        }
        return new PreparedStep(images, labels, bad);
    }
}

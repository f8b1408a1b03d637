using System.Runtime.ExceptionServices;
using VggSharp.Data;

namespace VggSharp.Evaluation;

/// <summary>A run of consecutive images, decoded and rescaled for an ensemble, with their labels; the bad ones set aside.</summary>
internal sealed class PreparedStep
{
    private PreparedStep(List<RescaledImage> images, List<int> indices, List<int> labels, List<BadImage> badImages) =>
        (Images, Indices, Labels, BadImages) = (images, indices, labels, badImages);

    /// <summary>The usable images, in data set order.</summary>
    public IReadOnlyList<RescaledImage> Images { get; }

    /// <summary>The data set index of each usable image.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>The label of each usable image.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The images that could not be decoded, in data set order.</summary>
    public IReadOnlyList<BadImage> BadImages { get; }

    /// <summary>
    /// Goes through the first <paramref name="total"/> images of <paramref name="data"/> in steps of
    /// <paramref name="perStep"/>, decoding and rescaling the next step on background threads while
    /// <paramref name="consume"/> gets the current one and the number of images done with it.
    /// </summary>
    public static void ForEach(IImageDataset data, int total, int perStep, Func<DecodedImage, RescaledImage> rescale, int smallestScale,
        ParallelOptions parallel, Action<PreparedStep, int> consume)
    {
        var cancellation = parallel.CancellationToken;
        Task<PreparedStep> Prepare(int start) =>
            Task.Run(() => Load(data, start, Math.Min(perStep, total - start), rescale, smallestScale, parallel), cancellation);

        Task<PreparedStep>? next = total > 0 ? Prepare(0) : null;
        try
        {
            for (int start = 0; start < total; start += perStep)
            {
                var step = next!.GetAwaiter().GetResult();
                int following = start + perStep;
                next = following < total ? Prepare(following) : null;
                consume(step, Math.Min(following, total));
            }
        }
        finally
        {
            // Never leave a decoding step running behind an exception; its own failure is moot by then.
            if (next is not null) Task.WaitAny(next);
        }
    }

    /// <summary>
    /// Decodes images <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1 in parallel
    /// (no smaller than <paramref name="smallestScale"/> where a decoder can reduce) and rescales them.
    /// </summary>
    public static PreparedStep Load(IImageDataset data, int start, int count, Func<DecodedImage, RescaledImage> rescale, int smallestScale,
        ParallelOptions parallel)
    {
        var rescaled = new RescaledImage?[count];
        var reasons = new ImageFormatException?[count];
        try
        {
            Parallel.For(0, count, parallel, i =>
            {
                try
                {
                    rescaled[i] = rescale(data.Load(start + i, smallestScale));
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
        var indices = new List<int>(count);
        var labels = new List<int>(count);
        var bad = new List<BadImage>();
        for (int i = 0; i < count; i++)
        {
            if (reasons[i] is { } e) bad.Add(new BadImage(start + i, e.Source, e.Reason));
            else
            {
                images.Add(rescaled[i]!);
                indices.Add(start + i);
                labels.Add(data.LabelOf(start + i));
            }
        }
        return new PreparedStep(images, indices, labels, bad);
    }
}

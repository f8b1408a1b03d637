using VggSharp.Interop;
using VggSharp.Interop.Numpy;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;

namespace VggSharp.Evaluation;

/// <summary>
/// Runs a model in inference mode over an array of inputs that are already preprocessed, as a Python pipeline would
/// feed torchvision: NCHW float32 from a NumPy .npy file, read a batch at a time. The result is the raw logits, so
/// they can be compared with another framework's on the same input.
/// </summary>
public static class ArrayInference
{
    /// <summary>
    /// The logits [N, classes] of <paramref name="model"/> for the [N, C, H, W] array <paramref name="input"/>, whose
    /// channels and size must be the model's; <paramref name="batchSize"/> images go through the network at a time.
    /// </summary>
    public static float[] Logits(VggModel model, NpyReader input, int batchSize, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (model.IsFullyConvolutional) throw new ArgumentException("Run the ordinary form of the model, whose output is logits.", nameof(model));
        var options = model.Options;
        var expected = new long[] { options.InputChannels, options.InputSize, options.InputSize };
        if (input.Shape.Count != 4 || !input.Shape.Skip(1).SequenceEqual(expected))
            throw new WeightsFormatException(input.Path,
                $"the array is ({string.Join(", ", input.Shape)}) but the model takes (N, {string.Join(", ", expected)}): NCHW float32, already preprocessed "
                + "(a torchvision state_dict can be loaded for another input size: --input-size, WeightsLoadOptions.InputSize)");
        if (input.Shape[0] > int.MaxValue / options.Classes) throw new WeightsFormatException(input.Path, $"{input.Shape[0]} images are too many for one array of logits");
        int count = (int)input.Shape[0], perImage = options.InputChannels * options.InputSize * options.InputSize;
        BatchMemory.Check(model, Math.Clamp(count, 1, batchSize), training: false);
        var logits = new float[(long)count * options.Classes];
        // Each batch is read into host memory, copied to the model's device once, and its logits read back once.
        using var hostImages = new Tensor(model.InputShape(Math.Clamp(count, 1, batchSize)));
        Tensor? deviceImages = null;
        try
        {
            for (int start = 0; start < count; start += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                int batch = Math.Min(batchSize, count - start);
                var images = hostImages.FirstItems(batch);
                input.Read((long)start * perImage, images.Span);
                if (FiniteValues.IndexOfNonFinite(images.Span) is var bad and >= 0)
                    throw new WeightsFormatException(input.Path,
                        $"image {start + bad / perImage} holds {FiniteValues.Describe(images.Span[(int)bad])} at element {bad % perImage}; inputs must be finite numbers");
                var onDevice = model.Network.Backend.OnDevice(images, ref deviceImages);
                var batchLogits = logits.AsSpan(start * options.Classes, batch * options.Classes);
                model.Forward(onDevice, ForwardContext.Inference).CopyTo(batchLogits);
                if (FiniteValues.IndexOfNonFinite(batchLogits) is var overflow and >= 0)
                    throw new NonFiniteOutputException($"the network's logits for image {start + overflow / options.Classes} of {input.Path} are NaN or infinite: its weights overflow on this input.");
            }
        }
        finally
        {
            deviceImages?.Dispose();
        }
        return logits;
    }
}

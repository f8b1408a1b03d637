using System.Globalization;

namespace VggSharp.Models;

/// <summary>
/// Refuses a batch whose activations cannot fit in this machine's memory before anything is allocated, instead of
/// letting a mistyped batch size exhaust memory part-way through. The estimate is the model's activations per image
/// (<see cref="ModelSummary.ActivationBytes"/>) times the batch, times <see cref="TrainingFactor"/> when training
/// (layer outputs, their gradients and the convolutions' workspace) or <see cref="InferenceFactor"/> otherwise. Only
/// models on the host are checked; a GPU reports its own allocation failures.
/// </summary>
public static class BatchMemory
{
    /// <summary>Bytes a training pass holds per byte of forward activations.</summary>
    public const int TrainingFactor = 3;

    /// <summary>Bytes inference holds per byte of forward activations.</summary>
    public const int InferenceFactor = 2;

    /// <summary>The estimated bytes of activations for a pass of <paramref name="batch"/> images through <paramref name="model"/>.</summary>
    public static double Estimate(VggModel model, int batch, bool training) =>
        (double)ModelSummary.Of(model).ActivationBytes * batch * (training ? TrainingFactor : InferenceFactor);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when a pass of <paramref name="batch"/> images cannot fit in the memory
    /// available to this process (physical memory, or a container's limit).
    /// </summary>
    public static void Check(VggModel model, int batch, bool training)
    {
        if (!model.Network.Backend.Device.IsHost) return;
        double needed = Estimate(model, batch, training);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (needed > available)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A batch of {batch} images needs about {needed / (1 << 30):F1} GiB for {(training ? "training" : "inference")} at this model's size, more than the {available / (double)(1 << 30):F1} GiB of memory here; choose a smaller batch (--batch, or --micro-batch for training)."));
    }
}

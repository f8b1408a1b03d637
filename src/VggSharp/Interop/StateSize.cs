using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// The bytes of state a model built from options would hold, computed without building it: loaders compare it with
/// the file's data size before allocating, so a corrupt or hostile header cannot make them allocate gigabytes.
/// </summary>
internal static class StateSize
{
    /// <summary>
    /// Bytes of all state entries (float32 parameters and statistics, int64 batch counters) for validated options;
    /// <see cref="long.MaxValue"/> when the count overflows (huge hidden units from hostile metadata).
    /// </summary>
    public static long Of(VggOptions options, VggConfiguration configuration)
    {
        try
        {
            checked
            {
                long floats = 0, counters = 0, channels = options.InputChannels;
                foreach (var item in configuration.Features.Where(f => f.Kind == FeatureKind.Convolution))
                {
                    long outputs = options.Scaled(item.Channels);
                    floats += channels * outputs * item.KernelSize * item.KernelSize + outputs;
                    if (configuration.BatchNorm)
                    {
                        floats += 4 * outputs; // weight, bias, running mean, running variance
                        counters++;
                    }
                    channels = outputs;
                }
                long map = VggLayerBuilder.FeatureMapSize(configuration, options.InputSize);
                long hidden = options.EffectiveHiddenUnits, classes = options.Classes;
                floats += (channels * map * map + 1) * hidden + (hidden + 1) * hidden + (hidden + 1) * classes;
                return floats * sizeof(float) + counters * sizeof(long);
            }
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }
}

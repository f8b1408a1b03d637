using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// The bytes of state a model built from options would hold, computed from its layer plan without building it:
/// loaders compare it with the file's data size before allocating, so a corrupt or hostile header cannot make them
/// allocate gigabytes.
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
            return checked(VggLayerBuilder.Plan(options, configuration, fullyConvolutional: false).Sum(s => s.StateBytes));
        }
        catch (OverflowException)
        {
            return long.MaxValue;
        }
    }
}

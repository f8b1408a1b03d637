using VggSharp.Layers;
using VggSharp.Randomness;
using VggSharp.Tensors;

namespace VggSharp.Models;

/// <summary>
/// Draws a network's initial weights. Each value is a function of (seed, layer index, parameter index, element),
/// so the result is the same bits on any thread count.
/// </summary>
public static class Initializer
{
    /// <summary>Applies <paramref name="scheme"/> to every layer of <paramref name="model"/>.</summary>
    public static void Apply(VggModel model, InitScheme scheme, ulong seed)
    {
        if (!Enum.IsDefined(scheme)) throw new ArgumentException($"Unknown initialisation scheme {(int)scheme}.", nameof(scheme));
        var layers = model.Network.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            ulong key = CounterRandom.Key(seed, (ulong)i);
            switch (layers[i])
            {
                case Conv2d conv:
                    int k2 = conv.KernelSize * conv.KernelSize;
                    // In the fully-convolutional form fc6-fc8 are convolutions but keep the fully-connected rule.
                    bool fullyConnected = model.LayerRoles[i].StartsWith("fc", StringComparison.Ordinal);
                    DrawWeights(conv.Weight.Value, scheme, fanIn: conv.InChannels * k2,
                        fanOut: fullyConnected ? conv.OutChannels : conv.OutChannels * k2, isConvolution: !fullyConnected, key);
                    conv.Bias.Value.Clear();
                    break;
                case Linear linear:
                    DrawWeights(linear.Weight.Value, scheme, linear.InFeatures, linear.OutFeatures, isConvolution: false, key);
                    linear.Bias.Value.Clear();
                    break;
                case BatchNorm2d bn:
                    var ones = new float[bn.Channels];
                    ones.AsSpan().Fill(1f);
                    bn.Weight.Value.CopyFrom(ones);
                    bn.Bias.Value.Clear();
                    bn.ResetStatistics();
                    break;
            }
        }
    }

    private static void DrawWeights(Tensor weight, InitScheme scheme, int fanIn, int fanOut, bool isConvolution, ulong key)
    {
        double std = scheme switch
        {
            InitScheme.Paper => 0.01,
            InitScheme.Kaiming => isConvolution ? Math.Sqrt(2.0 / fanOut) : 0.01,
            _ => 0,
        };
        double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
        // A model on a device gets the same values, drawn in host memory and copied in.
        float[]? staged = weight.IsOnHost ? null : new float[weight.Length];
        Fill(staged ?? weight.Span, scheme == InitScheme.Glorot
            ? (k, i) => (float)((2 * CounterRandom.UniformOpenClosed(k, i) - 1) * bound)
            : (k, i) => (float)(CounterRandom.Normal(k, i) * std), key);
        if (staged is not null) weight.CopyFrom(staged);
    }

    private static void Fill(Span<float> values, Func<ulong, ulong, float> draw, ulong key)
    {
        const int Chunk = 1 << 16;
        int length = values.Length;
        unsafe
        {
            fixed (float* p = values)
            {
                float* start = p;
                Parallel.For(0, (length + Chunk - 1) / Chunk, c =>
                {
                    int end = Math.Min(length, (c + 1) * Chunk);
                    for (int i = c * Chunk; i < end; i++) start[i] = draw(key, (ulong)i);
                });
            }
        }
    }
}

using VggSharp.Interop;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>Folded fc6 weights on the m x m map give what PyTorch's adaptive average pooling to p x p followed by fc6 gives.</summary>
public class AdaptivePoolFoldingTests
{
    [Theory]
    [InlineData(7, 1)]
    [InlineData(7, 2)]
    [InlineData(7, 3)]
    [InlineData(7, 5)]
    [InlineData(7, 7)]
    [InlineData(7, 9)]
    [InlineData(7, 14)]
    [InlineData(3, 8)]
    public void FoldedWeightsComputeThePooledLayer(int pooled, int map)
    {
        const int outputs = 3, channels = 2;
        var random = new Random(pooled * 100 + map);
        float[] weights = [.. Enumerable.Range(0, outputs * channels * pooled * pooled).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] features = [.. Enumerable.Range(0, channels * map * map).Select(_ => (float)random.NextDouble())];
        var folded = new float[outputs * channels * map * map];

        AdaptivePoolFolding.Fold(weights, folded, outputs, channels, pooled, map);

        for (int o = 0; o < outputs; o++)
        {
            double expected = 0, actual = 0;
            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < pooled; i++)
                {
                    for (int j = 0; j < pooled; j++)
                        expected += weights[((o * channels + c) * pooled + i) * pooled + j] * Average(features, c, map, Bin(i, pooled, map), Bin(j, pooled, map));
                }
                for (int k = 0; k < map * map; k++) actual += folded[(o * channels + c) * map * map + k] * features[c * map * map + k];
            }
            Assert.Equal(expected, actual, 1e-5);
        }
    }

    /// <summary>PyTorch's AdaptiveAvgPool2d bin of output cell i: rows floor(i·m/p) to ceil((i+1)·m/p) - 1.</summary>
    private static (int Begin, int End) Bin(int i, int pooled, int map) => ((int)Math.Floor((double)i * map / pooled), (int)Math.Ceiling((double)(i + 1) * map / pooled));

    private static double Average(float[] features, int channel, int map, (int Begin, int End) rows, (int Begin, int End) columns)
    {
        double sum = 0;
        for (int y = rows.Begin; y < rows.End; y++)
        {
            for (int x = columns.Begin; x < columns.End; x++) sum += features[(channel * map + y) * map + x];
        }
        return sum / ((rows.End - rows.Begin) * (columns.End - columns.Begin));
    }
}

namespace VggSharp.Interop;

/// <summary>
/// torchvision's VGG averages the last feature map to 7x7 (AdaptiveAvgPool2d) before classifier.0, so its fc6 takes
/// C·7·7 inputs whatever the image size. VggSharp's network has no such layer: at 224x224 the map is already 7x7 and
/// the pooling does nothing, but at other sizes it is a fixed linear map from the m x m feature map to p x p, which
/// composes with fc6 into one linear layer on C·m·m inputs. Folding it into the weights gives exactly torchvision's
/// function at that input size (up to float rounding), with nothing to run at inference.
/// </summary>
internal static class AdaptivePoolFolding
{
    /// <summary>
    /// Folds the pooling from <paramref name="mapSize"/> to <paramref name="pooledSize"/> into fc6's weights:
    /// <paramref name="pooled"/> is [outputs, channels, p, p] (torchvision's), <paramref name="folded"/> receives
    /// [outputs, channels, m, m], where folded[o, c, y, x] sums pooled[o, c, i, j] / (|bin i| |bin j|) over the output
    /// cells whose bins contain (y, x). Bins are PyTorch's: cell i covers floor(i·m/p) to ceil((i+1)·m/p) - 1.
    /// </summary>
    public static void Fold(ReadOnlySpan<float> pooled, Span<float> folded, int outputs, int channels, int pooledSize, int mapSize)
    {
        int p = pooledSize, m = mapSize;
        if (pooled.Length != (long)outputs * channels * p * p || folded.Length != (long)outputs * channels * m * m)
            throw new ArgumentException("Weight sizes do not match the outputs, channels and map sizes.");
        // weights[i, y]: the share of map row y in pooled row i.
        var weights = new double[p, m];
        for (int i = 0; i < p; i++)
        {
            int begin = i * m / p, end = ((i + 1) * m + p - 1) / p;
            for (int y = begin; y < end; y++) weights[i, y] = 1.0 / (end - begin);
        }
        var rows = new double[p * m];
        for (long plane = 0; plane < (long)outputs * channels; plane++)
        {
            var source = pooled.Slice((int)(plane * p * p), p * p);
            var target = folded.Slice((int)(plane * m * m), m * m);
            // rows[i, x] = sum_j source[i, j] weights[j, x]; target[y, x] = sum_i weights[i, y] rows[i, x].
            for (int i = 0; i < p; i++)
            {
                for (int x = 0; x < m; x++)
                {
                    double sum = 0;
                    for (int j = 0; j < p; j++) sum += source[i * p + j] * weights[j, x];
                    rows[i * m + x] = sum;
                }
            }
            for (int y = 0; y < m; y++)
            {
                for (int x = 0; x < m; x++)
                {
                    double sum = 0;
                    for (int i = 0; i < p; i++) sum += weights[i, y] * rows[i * m + x];
                    target[y * m + x] = (float)sum;
                }
            }
        }
    }
}

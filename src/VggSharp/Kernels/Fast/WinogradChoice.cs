namespace VggSharp.Kernels.Fast;

/// <summary>
/// Which convolutions run on Winograd F(4x4, 3x3): a function of the algorithm asked for and the shape alone, so the
/// bits never depend on the thread count. <see cref="ConvolutionAlgorithm.Auto"/> follows measurements on VGG's
/// shapes (see docs/KERNELS.md): Winograd loses where its fixed costs are not spread over enough work.
/// </summary>
internal static class WinogradChoice
{
    /// <summary>Fewest channels on either side: below this the GEMMs are too short to pay for the transforms.</summary>
    private const int MinimumChannels = 32;

    /// <summary>
    /// Fewest channels on maps whose tile rows are not narrow (<see cref="WinogradConvolution.NarrowRows"/>), where
    /// the transforms move pixels 16 tiles at a time and cost least.
    /// </summary>
    private const int MinimumChannelsOnWideMaps = 16;

    /// <summary>Channels read and written at which narrowing convolutions pay too.</summary>
    private const int WideChannels = 64;

    /// <summary>Fewest tiles per call: the filters are transformed once per call, whatever the batch.</summary>
    private const int MinimumTiles = 48;

    public static bool Forward(ConvolutionAlgorithm algorithm, ConvGeometry g) => Chosen(algorithm, g, WinogradGeometry.Of(g));

    /// <summary>Backward data is a convolution of the output gradient: its channels read are the layer's outputs.</summary>
    public static bool BackwardData(ConvolutionAlgorithm algorithm, ConvGeometry g) =>
        Chosen(algorithm, g, new WinogradGeometry(g.Batch, g.Outputs, g.OutHeight, g.OutWidth, g.Channels, 2 - g.Padding));

    /// <summary>Backward filter reads the layer's input and output gradient, as forward reads its input.</summary>
    public static bool BackwardFilter(ConvolutionAlgorithm algorithm, ConvGeometry g) => Chosen(algorithm, g, WinogradGeometry.Of(g));

    private static bool Chosen(ConvolutionAlgorithm algorithm, ConvGeometry layer, WinogradGeometry w) => algorithm switch
    {
        ConvolutionAlgorithm.Im2Col => false,
        ConvolutionAlgorithm.Winograd => WinogradGeometry.Supports(layer),
        _ => WinogradGeometry.Supports(layer) && Pays(w),
    };

    /// <summary>
    /// Enough channels (the first layer's 3 never are; a narrowing convolution needs more, wide maps fewer), enough
    /// tiles, and tiles that are mostly inside the output (a 2x2 map fills a quarter of its tile).
    /// </summary>
    private static bool Pays(WinogradGeometry w)
    {
        int fewest = Math.Min(w.Inputs, w.Outputs);
        int minimum = w.TilesX >= WinogradConvolution.NarrowRows ? MinimumChannelsOnWideMaps : MinimumChannels;
        bool channels = fewest >= WideChannels || (fewest >= minimum && w.Outputs >= w.Inputs);
        bool filled = 2L * w.OutHeight * w.OutWidth >= (long)w.TilesPerImage * WinogradTransform.Tile * WinogradTransform.Tile;
        return channels && filled && w.Tiles >= MinimumTiles;
    }
}

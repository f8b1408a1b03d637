namespace VggSharp.Kernels.Fast;

/// <summary>
/// A 3x3 stride-1 convolution as Winograd F(4x4, 3x3) sees it: the output cut into 4x4 tiles, numbered image by image
/// and row by row, and the tiles cut into blocks that are transformed, multiplied and transformed back together.
/// Backward data is such a convolution too, of the output gradient with the flipped filters, so this describes the
/// convolution being computed, not the layer: <see cref="Inputs"/> are the channels read, <see cref="Outputs"/> those written.
/// </summary>
internal readonly record struct WinogradGeometry(int Batch, int Inputs, int Height, int Width, int Outputs, int Padding)
{
    /// <summary>
    /// Floats of transformed inputs and products per block when the transformed filters are small enough to stay in
    /// the cache (4 MB): each block's data is written, read back once, and stays in the cache in between.
    /// </summary>
    private const int CachedBlockBudget = 1 << 20;

    /// <summary>
    /// Transformed filters above this many floats (8 MB) do not stay in the cache, and every block reads them again
    /// from memory: blocks are then made as large as <see cref="StreamedBlockBudget"/> allows.
    /// </summary>
    private const long CachedFilters = 2L << 20;

    /// <summary>Floats of transformed inputs and products per block when the filters stream from memory (64 MB).</summary>
    private const int StreamedBlockBudget = 16 << 20;

    /// <summary>
    /// Fewest tiles per block: narrower blocks would make the GEMMs short and reread the filters too often. A multiple
    /// of <see cref="BlockQuantum"/>.
    /// </summary>
    private const int MinimumBlockTiles = 128;

    /// <summary>Block sizes are multiples of this many tiles: the micro-kernel's 32 columns.</summary>
    private const int BlockQuantum = 32;

    /// <summary>The geometry of a forward convolution.</summary>
    public static WinogradGeometry Of(ConvGeometry g) => new(g.Batch, g.Channels, g.Height, g.Width, g.Outputs, g.Padding);

    /// <summary>Whether F(4x4, 3x3) computes this convolution: a 3x3 kernel, and padding that backward data can mirror (at most 2).</summary>
    public static bool Supports(ConvGeometry g) => g.Kernel == 3 && g.Padding <= 2;

    public int OutHeight => Height + 2 * Padding - 2;

    public int OutWidth => Width + 2 * Padding - 2;

    public int TilesX => (OutWidth + WinogradTransform.Tile - 1) / WinogradTransform.Tile;

    public int TilesY => (OutHeight + WinogradTransform.Tile - 1) / WinogradTransform.Tile;

    public int TilesPerImage => TilesX * TilesY;

    public int Tiles => Batch * TilesPerImage;

    /// <summary>
    /// Threads to share the blocks between evenly, or 0. Only forward and backward data may set it: their results do
    /// not depend on how tiles are grouped, while backward filter sums over blocks and needs the shape-only grouping.
    /// </summary>
    public int Sharing { get; init; }

    /// <summary>
    /// Tiles per block: a multiple of <see cref="BlockQuantum"/> within the budget (see <see cref="CachedFilters"/>),
    /// at least <see cref="MinimumBlockTiles"/>, evened out over the blocks. Without <see cref="Sharing"/> it depends
    /// on the shape alone. With it, where the filters stay cached (so that smaller blocks cost little), the number of
    /// blocks is rounded up to a multiple of the threads and blocks are evened to within a vector group of each other.
    /// </summary>
    public int BlockTiles
    {
        get
        {
            long perTile = (long)WinogradTransform.Points * (Inputs + Outputs);
            bool cached = (long)WinogradTransform.Points * Inputs * Outputs <= CachedFilters;
            long budget = (cached ? CachedBlockBudget : StreamedBlockBudget) / perTile;
            int size = (int)Math.Max(MinimumBlockTiles, budget / BlockQuantum * BlockQuantum);
            int blocks = Math.Max(1, (Tiles + size - 1) / size), quantum = BlockQuantum;
            if (cached && Sharing > 1 && Tiles >= Sharing * TilePhases.Tiles)
            {
                blocks = (blocks + Sharing - 1) / Sharing * Sharing;
                quantum = TilePhases.Tiles;
            }
            int even = (Tiles + blocks - 1) / blocks;
            return (even + quantum - 1) / quantum * quantum;
        }
    }

    public int Blocks => (Tiles + BlockTiles - 1) / BlockTiles;

    /// <summary>Row stride of the per-block matrices: the block's tiles rounded up to whole vector groups.</summary>
    public int BlockStride => (BlockTiles + TilePhases.Tiles - 1) / TilePhases.Tiles * TilePhases.Tiles;

    /// <summary>Floats from one point's packed filter matrix to the next's.</summary>
    public long FilterPointStride => Spread(Sgemm.PackedASize(Outputs, Inputs));

    /// <summary>Floats from one point's filter-gradient matrix [output channel][input channel] to the next's.</summary>
    public long GradientPointStride => Spread((long)Outputs * Inputs);

    /// <summary>Floats from one point's [input channel][tile] matrix of a block to the next's.</summary>
    public long InputPointStride => Spread((long)Inputs * BlockStride);

    /// <summary>Floats from one point's [output channel][tile] matrix of a block to the next's.</summary>
    public long ProductPointStride => Spread((long)Outputs * BlockStride);

    /// <summary>
    /// Rounds a per-point matrix up to whole 4 KB pages plus one cache line. The transforms touch the same element of
    /// all 36 matrices in a row; were the matrices a multiple of 4 KB apart, those 36 lines would compete for one
    /// 12-way L1 set and evict each other on every access.
    /// </summary>
    private static long Spread(long length) => (length + 1023) / 1024 * 1024 + 16;

    /// <summary>The first tile and the number of tiles of block <paramref name="block"/>.</summary>
    public (int First, int Count) Block(int block)
    {
        int first = block * BlockTiles;
        return (first, Math.Min(BlockTiles, Tiles - first));
    }

    /// <summary>
    /// The block's tiles as runs along tile rows: each run is (image, tile row, first tile column, tiles, position in
    /// the block). Transforms move whole runs between pixels and tile lanes.
    /// </summary>
    public TileRuns Runs(int first, int count) => new(this, first, count);
}

namespace VggSharp.Data;

/// <summary>
/// One process's share of a data set's first <c>count</c> images in a data-parallel job: images rank, rank + ranks,
/// rank + 2 ranks... (interleaved, so every share has about the same images and classes). A view: nothing is copied.
/// </summary>
public sealed class DatasetShard : IImageDataset
{
    private readonly IImageDataset _source;
    private readonly int _rank, _ranks;

    /// <summary>Rank <paramref name="rank"/>'s share, of <paramref name="ranks"/>, of the first <paramref name="count"/> images of <paramref name="source"/>.</summary>
    public DatasetShard(IImageDataset source, int count, int rank, int ranks)
    {
        if (ranks < 1 || (uint)rank >= (uint)ranks) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Rank {rank} of {ranks}.");
        if (count < 0 || count > source.Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"The data set has {source.Count} images.");
        (_source, _rank, _ranks) = (source, rank, ranks);
        Count = count > rank ? (count - rank + ranks - 1) / ranks : 0;
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> ClassNames => _source.ClassNames;

    /// <inheritdoc />
    public int LabelOf(int index) => _source.LabelOf(SourceIndex(index));

    /// <inheritdoc />
    public string Describe(int index) => _source.Describe(SourceIndex(index));

    /// <inheritdoc />
    public DecodedImage Load(int index, int? shortSideHint = null) => _source.Load(SourceIndex(index), shortSideHint);

    private int SourceIndex(int index) =>
        (uint)index < (uint)Count ? _rank + index * _ranks : throw new ArgumentOutOfRangeException(nameof(index), index, $"The shard has {Count} images.");
}

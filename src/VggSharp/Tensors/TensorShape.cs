namespace VggSharp.Tensors;

/// <summary>
/// The dimensions of a tensor, outermost first. Four-dimensional shapes are NCHW
/// (batch, channels, height, width); two-dimensional ones are (batch, features).
/// </summary>
public readonly struct TensorShape : IEquatable<TensorShape>
{
    private readonly int[] _dimensions;

    /// <summary>Creates a shape; every dimension must be positive and the element count must fit in an <see cref="int"/>.</summary>
    public TensorShape(params int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Length == 0) throw new ArgumentException("A tensor shape needs at least one dimension.", nameof(dimensions));
        long count = 1;
        foreach (int d in dimensions)
        {
            if (d <= 0) throw new ArgumentException($"Tensor dimensions must be positive, got [{string.Join(", ", dimensions)}].", nameof(dimensions));
            count *= d;
            if (count > int.MaxValue) throw new ArgumentException($"A tensor of shape [{string.Join(", ", dimensions)}] has more than {int.MaxValue} elements.", nameof(dimensions));
        }
        _dimensions = (int[])dimensions.Clone();
        ElementCount = (int)count;
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dimensions?.Length ?? 0;

    /// <summary>The product of all dimensions.</summary>
    public int ElementCount { get; }

    /// <summary>The size of dimension <paramref name="axis"/>.</summary>
    public int this[int axis] => _dimensions[axis];

    /// <summary>The dimensions as a read-only span.</summary>
    public ReadOnlySpan<int> Dimensions => _dimensions;

    /// <summary>Batch size: the first dimension.</summary>
    public int N => _dimensions[0];

    /// <summary>Channels of an NCHW shape.</summary>
    public int C => RequireRank4()[1];

    /// <summary>Height of an NCHW shape.</summary>
    public int H => RequireRank4()[2];

    /// <summary>Width of an NCHW shape.</summary>
    public int W => RequireRank4()[3];

    /// <summary>Elements per batch item: the product of all dimensions but the first.</summary>
    public int ItemSize => ElementCount / _dimensions[0];

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray() => (int[])_dimensions.Clone();

    /// <summary>The same shape with a different batch size.</summary>
    public TensorShape WithBatch(int batch)
    {
        var d = ToArray();
        d[0] = batch;
        return new TensorShape(d);
    }

    private int[] RequireRank4() =>
        _dimensions.Length == 4 ? _dimensions : throw new InvalidOperationException($"Shape {this} is not NCHW.");

    /// <inheritdoc />
    public bool Equals(TensorShape other) => _dimensions.AsSpan().SequenceEqual(other._dimensions);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TensorShape s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in _dimensions) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Compares two shapes dimension by dimension.</summary>
    public static bool operator ==(TensorShape a, TensorShape b) => a.Equals(b);

    /// <summary>Compares two shapes dimension by dimension.</summary>
    public static bool operator !=(TensorShape a, TensorShape b) => !a.Equals(b);

    /// <summary>Formats as <c>[8, 64, 224, 224]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", _dimensions ?? []) + "]";
}

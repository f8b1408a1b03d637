namespace VggSharp.Interop.PyTorch;

/// <summary>
/// A tensor as torch._utils._rebuild_tensor rebuilds it: a view of a storage with an element offset, sizes and
/// strides. <see cref="Create"/> checks that every element it can address lies inside the storage, so reading it
/// later cannot go out of bounds whatever the pickle said.
/// </summary>
internal sealed class TorchTensor
{
    /// <summary>The most dimensions accepted; VGG's tensors have at most 4.</summary>
    public const int MaxDimensions = 16;

    private TorchTensor(TorchStorageView view, long offset, long[] shape, long[] stride, long elementCount)
    {
        View = view;
        Offset = offset;
        Shape = shape;
        Stride = stride;
        ElementCount = elementCount;
    }

    /// <summary>The storage (window) the tensor views.</summary>
    public TorchStorageView View { get; }

    /// <summary>The storage offset, in elements, within <see cref="View"/>.</summary>
    public long Offset { get; }

    /// <summary>The sizes.</summary>
    public long[] Shape { get; }

    /// <summary>The strides, in elements.</summary>
    public long[] Stride { get; }

    /// <summary>The number of elements.</summary>
    public long ElementCount { get; }

    /// <summary>The element type.</summary>
    public SafetensorsDataType DataType => View.Storage.Type.DataType;

    /// <summary>The index within the storage of the first element.</summary>
    public long StorageStart => View.Offset + Offset;

    /// <summary>True when the elements lie back to back in row-major order (dimensions of size 1 may have any stride, as in PyTorch).</summary>
    public bool IsContiguous
    {
        get
        {
            long expected = 1;
            for (int d = Shape.Length - 1; d >= 0; d--)
            {
                if (Shape[d] == 1) continue;
                if (Stride[d] != expected) return false;
                expected *= Shape[d];
            }
            return true;
        }
    }

    /// <summary>
    /// Validates a tensor's arguments as the pickle gave them: an int offset, tuples of ints for size and stride of the
    /// same length, nothing negative, and every addressable element inside <paramref name="view"/>.
    /// </summary>
    public static TorchTensor Create(string path, TorchStorageView view, object? offset, object? size, object? stride)
    {
        WeightsFormatException Fail(string problem) => new(path, $"a tensor on {view}: {problem}");
        if (offset is not long start || start < 0) throw Fail("its storage offset is not a non-negative int");
        long[] shape = Integers(size, "size", Fail);
        long[] strides = Integers(stride, "stride", Fail);
        if (shape.Length != strides.Length) throw Fail($"{shape.Length} sizes but {strides.Length} strides");

        long count = 1, last = 0;
        try
        {
            checked
            {
                foreach (long d in shape) count *= d;
                for (int d = 0; d < shape.Length; d++)
                {
                    if (shape[d] > 0) last += (shape[d] - 1) * strides[d];
                }
            }
        }
        catch (OverflowException)
        {
            throw Fail($"size {Format(shape)} with stride {Format(strides)} overflows");
        }
        if (count > 0 && (start > view.Count || last >= view.Count - start))
            throw Fail($"size {Format(shape)}, stride {Format(strides)} at offset {start} reaches element {(decimal)start + last} but the storage has {view.Count}");
        return new TorchTensor(view, start, shape, strides, count);
    }

    private static long[] Integers(object? value, string what, Func<string, WeightsFormatException> fail)
    {
        if (value is not object?[] tuple) throw fail($"its {what} is not a tuple");
        if (tuple.Length > MaxDimensions) throw fail($"its {what} has {tuple.Length} dimensions, more than {MaxDimensions}");
        var result = new long[tuple.Length];
        for (int i = 0; i < tuple.Length; i++)
        {
            if (tuple[i] is not long d || d < 0) throw fail($"its {what} holds {Pickle.PickleReader.Describe(tuple[i])} where a non-negative int belongs");
            result[i] = d;
        }
        return result;
    }

    private static string Format(long[] values) => "[" + string.Join(", ", values) + "]";
}

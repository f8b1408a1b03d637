namespace VggSharp.Bench;

/// <summary>One benchmark parameter: a backend and the shape it runs, shown as "fast conv3_1 128-256 k3 1x56x56".</summary>
public sealed record Workload<TShape>(string Backend, TShape Shape) : IMultiplyAddCount where TShape : notnull
{
    /// <summary>The shape on every backend in <paramref name="backends"/>.</summary>
    public static IEnumerable<Workload<TShape>> On(IEnumerable<string> backends, IEnumerable<TShape> shapes) =>
        shapes.SelectMany(shape => backends.Select(backend => new Workload<TShape>(backend, shape)));

    /// <summary>The shape's multiply-adds, or 0 for kernels that are not multiply-adds (pooling, ReLU, batch norm).</summary>
    public long MultiplyAdds => Shape is IMultiplyAddCount counted ? counted.MultiplyAdds : 0;

    /// <inheritdoc />
    public override string ToString() => $"{Backend} {Shape}";
}

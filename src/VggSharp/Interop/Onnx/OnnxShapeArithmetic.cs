namespace VggSharp.Interop.Onnx;

/// <summary>
/// Evaluates the small int64 computations exporters put beside a network to work out a Reshape's target shape
/// (torch.onnx.export's <c>x.view(x.size(0), -1)</c> is Shape, Gather, Unsqueeze and Concat), over values that are
/// scalars or vectors of at most <see cref="OnnxTensor.MaxInt64Values"/> entries, each a number or unknown (null: the
/// batch size, or a size the graph leaves open). Any other operator, or an operand this cannot know, is an
/// <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class OnnxShapeArithmetic(long opset)
{
    /// <summary>An int64 value: a scalar (<paramref name="Scalar"/>, one entry) or a vector.</summary>
    public sealed record Value(IReadOnlyList<long?> Entries, bool Scalar);

    private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);

    /// <summary>The operators this evaluates.</summary>
    public static readonly IReadOnlySet<string> Operators = new HashSet<string>(StringComparer.Ordinal)
    {
        "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Mul", "Add", "Sub", "Div", "Cast",
    };

    /// <summary>The value named <paramref name="name"/>, or null when none is known by that name.</summary>
    public Value? Find(string name) => _values.GetValueOrDefault(name);

    /// <summary>Records a value (a constant, or a data tensor's shape for Shape).</summary>
    public void Set(string name, Value value) => _values[name] = value;

    /// <summary>A constant int64 tensor as a value (rank 0 or 1).</summary>
    public static Value Of(OnnxTensor tensor, long[] values)
    {
        if (tensor.Dims.Count > 1) throw new InvalidDataException($"the int64 tensor '{tensor.Name}' has shape {tensor.ShapeText}; shapes and indices are scalars or vectors");
        return new Value([.. values.Select(v => (long?)v)], tensor.Dims.Count == 0);
    }

    /// <summary>Evaluates <paramref name="node"/> (one of <see cref="Operators"/>, Shape excepted: its operand is a data tensor the caller knows).</summary>
    public void Evaluate(OnnxNode node)
    {
        var result = node.OpType switch
        {
            "Gather" => Gather(node),
            "Unsqueeze" => Unsqueeze(node),
            "Squeeze" => Operand(node, 0) is { Scalar: false, Entries.Count: 1 } v ? new Value(v.Entries, true) : throw Unsupported(node, "squeezes anything but a vector of one value"),
            "Concat" => Concat(node),
            "Mul" or "Add" or "Sub" or "Div" => Arithmetic(node),
            "Cast" => node.Int("to", OnnxTensor.Int64) == OnnxTensor.Int64 ? Operand(node, 0) : throw Unsupported(node, "casts to a type other than INT64"),
            _ => throw Unsupported(node, "is not shape arithmetic"),
        };
        if (node.Outputs.Count != 1) throw Unsupported(node, $"has {node.Outputs.Count} outputs");
        _values[node.Outputs[0]] = result;
    }

    private Value Operand(OnnxNode node, int index) =>
        Find(node.Input(index)) ?? throw Unsupported(node, $"takes '{node.Input(index)}', which is neither a constant nor a shape");

    private Value Gather(OnnxNode node)
    {
        var data = Operand(node, 0);
        var indices = Operand(node, 1);
        if (data.Scalar || node.Int("axis", 0) != 0) throw Unsupported(node, "gathers from something other than a vector's entries");
        var entries = indices.Entries.Select(i => i is long index && index >= -data.Entries.Count && index < data.Entries.Count
            ? data.Entries[(int)(index < 0 ? index + data.Entries.Count : index)]
            : throw Unsupported(node, $"gathers index {i?.ToString() ?? "unknown"} of a vector of {data.Entries.Count}")).ToList();
        return new Value(entries, indices.Scalar);
    }

    private Value Unsqueeze(OnnxNode node)
    {
        var data = Operand(node, 0);
        // Opset 13 moved the axes from an attribute to an input.
        var axes = opset >= 13 ? Operand(node, 1).Entries : node.Ints("axes")?.Select(a => (long?)a).ToList();
        if (!data.Scalar || axes is not { Count: 1 } || axes[0] is not (0 or -1)) throw Unsupported(node, "unsqueezes anything but a scalar into a vector");
        return new Value(data.Entries, false);
    }

    private Value Concat(OnnxNode node)
    {
        if (node.Int("axis", 0) is not (0 or -1)) throw Unsupported(node, "concatenates along an axis other than 0");
        var entries = new List<long?>();
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            var part = Operand(node, i);
            if (part.Scalar) throw Unsupported(node, "concatenates a scalar");
            if (entries.Count + part.Entries.Count > OnnxTensor.MaxInt64Values) throw Unsupported(node, $"makes a vector of more than {OnnxTensor.MaxInt64Values} values");
            entries.AddRange(part.Entries);
        }
        return new Value(entries, false);
    }

    private Value Arithmetic(OnnxNode node)
    {
        var (a, b) = (Operand(node, 0), Operand(node, 1));
        if (a.Entries.Count != b.Entries.Count && a.Entries.Count != 1 && b.Entries.Count != 1) throw Unsupported(node, "combines vectors of different lengths");
        int length = Math.Max(a.Entries.Count, b.Entries.Count);
        long? Apply(long? x, long? y) => x is not long p || y is not long q ? null : node.OpType switch
        {
            "Mul" => p * q, "Add" => p + q, "Sub" => p - q,
            _ => q == 0 ? throw Unsupported(node, "divides by zero") : q == -1 ? -p : p / q,
        };
        var entries = Enumerable.Range(0, length).Select(i => Apply(a.Entries[a.Entries.Count == 1 ? 0 : i], b.Entries[b.Entries.Count == 1 ? 0 : i])).ToList();
        return new Value(entries, a.Scalar && b.Scalar);
    }

    private static InvalidDataException Unsupported(OnnxNode node, string problem) => new($"{node} {problem}");
}

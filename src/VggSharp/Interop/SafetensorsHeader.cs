using System.Text.Json;
using System.Text.Unicode;

namespace VggSharp.Interop;

/// <summary>
/// The parsed, fully validated JSON header of a safetensors file: every tensor's dtype, shape and data offsets, and
/// the optional string-to-string "__metadata__". Validation guarantees that the tensors tile the data buffer exactly
/// (contiguous from 0, no gaps, no overlaps, nothing left over) and that each one's byte count matches its shape.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>The largest header accepted, as in the reference implementation: 100 MB.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The reserved key of the metadata object.</summary>
    public const string MetadataKey = "__metadata__";

    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;

    private SafetensorsHeader(List<SafetensorsTensorInfo> tensors, Dictionary<string, string> metadata, long dataLength)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataLength = dataLength;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The tensors in data order.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The metadata; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The length of the data buffer after the header.</summary>
    public long DataLength { get; }

    /// <summary>The tensor with <paramref name="name"/>, or null.</summary>
    public SafetensorsTensorInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Parses and validates header bytes (without the 8-byte length) for a data buffer of
    /// <paramref name="dataLength"/> bytes; <paramref name="path"/> names the file in errors.
    /// </summary>
    public static SafetensorsHeader Parse(ReadOnlyMemory<byte> header, long dataLength, string path)
    {
        if (!Utf8.IsValid(header.Span)) throw new WeightsFormatException(path, "the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            // The header's natural depth is 3 (root, entry, shape); a small limit keeps hostile nesting cheap.
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new WeightsFormatException(path, $"the header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new WeightsFormatException(path, $"the header must be a JSON object, not {Describe(root.ValueKind)}");
            var tensors = new List<SafetensorsTensorInfo>();
            Dictionary<string, string>? metadata = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                // JsonDocument keeps both copies of a repeated key; which one wins would differ between readers.
                if (!seen.Add(property.Name)) throw new WeightsFormatException(path, $"the header repeats the key {property.Name}");
                if (property.Name == MetadataKey) metadata = ParseMetadata(property.Value, path);
                else tensors.Add(ParseTensor(property.Name, property.Value, path));
            }
            CheckLayout(tensors, dataLength, path);
            return new SafetensorsHeader(tensors, metadata ?? [], dataLength);
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new WeightsFormatException(path, $"{MetadataKey} must be an object of strings, not {Describe(element.ValueKind)}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw new WeightsFormatException(path, $"{MetadataKey} value of {property.Name} must be a string, not {Describe(property.Value.ValueKind)}");
            if (!metadata.TryAdd(property.Name, property.Value.GetString()!))
                throw new WeightsFormatException(path, $"{MetadataKey} repeats the key {property.Name}");
        }
        return metadata;
    }

    private static SafetensorsTensorInfo ParseTensor(string name, JsonElement element, string path)
    {
        WeightsFormatException Fail(string problem) => new(path, $"tensor {name}: {problem}");
        if (element.ValueKind != JsonValueKind.Object) throw Fail($"its entry must be an object, not {Describe(element.ValueKind)}");
        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (var field in element.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtype is null: dtype = field.Value; break;
                case "shape" when shape is null: shape = field.Value; break;
                case "data_offsets" when offsets is null: offsets = field.Value; break;
                case "dtype" or "shape" or "data_offsets": throw Fail($"the field {field.Name} appears twice");
                default: throw Fail($"unknown field {field.Name} (expected dtype, shape, data_offsets)");
            }
        }
        if (dtype is null || shape is null || offsets is null) throw Fail("the entry needs dtype, shape and data_offsets");

        if (dtype.Value.ValueKind != JsonValueKind.String) throw Fail($"dtype must be a string, not {Describe(dtype.Value.ValueKind)}");
        string dtypeName = dtype.Value.GetString()!;
        if (!SafetensorsDataTypes.TryParse(dtypeName, out var dataType)) throw Fail($"unknown dtype '{dtypeName}'");

        long[] dimensions = ReadIntegers(shape.Value, "shape", Fail);
        long[] range = ReadIntegers(offsets.Value, "data_offsets", Fail);
        if (range.Length != 2) throw Fail($"data_offsets must hold two integers [begin, end], found {range.Length}");
        long begin = range[0], end = range[1];
        if (begin > end) throw Fail($"data_offsets [{begin}, {end}] begin after they end");

        long bytes = ByteCount(dimensions, dataType.ElementSize())
            ?? throw Fail($"{dataType.HeaderName()} shape {WeightsTensor.FormatShape(dimensions)} overflows a 64-bit byte count");
        if (end - begin != bytes)
            throw Fail($"{dataType.HeaderName()} {WeightsTensor.FormatShape(dimensions)} needs {bytes} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        return new SafetensorsTensorInfo(name, dataType, dimensions, begin, end);
    }

    private static long[] ReadIntegers(JsonElement element, string field, Func<string, WeightsFormatException> fail)
    {
        if (element.ValueKind != JsonValueKind.Array) throw fail($"{field} must be an array, not {Describe(element.ValueKind)}");
        var values = new long[element.GetArrayLength()];
        int i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long value))
                throw fail($"{field} must hold integers, found {item.GetRawText()}");
            if (value < 0) throw fail($"{field} holds the negative value {value}");
            values[i++] = value;
        }
        return values;
    }

    /// <summary>Elements times element size, or null when that does not fit a long.</summary>
    private static long? ByteCount(long[] shape, int elementSize)
    {
        if (shape.Contains(0)) return 0;
        long bytes = elementSize;
        foreach (long d in shape)
        {
            if (bytes > long.MaxValue / d) return null;
            bytes *= d;
        }
        return bytes;
    }

    private static void CheckLayout(List<SafetensorsTensorInfo> tensors, long dataLength, string path)
    {
        var ordered = tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long expected = 0;
        SafetensorsTensorInfo? previous = null;
        foreach (var t in ordered)
        {
            if (t.Begin > expected)
                throw new WeightsFormatException(path, $"gap of {t.Begin - expected} bytes in the data before tensor {t.Name} at offset {t.Begin}");
            if (t.Begin < expected)
                throw new WeightsFormatException(path, $"tensor {t.Name} at [{t.Begin}, {t.End}] overlaps tensor {previous!.Name} at [{previous.Begin}, {previous.End}]");
            if (t.End > dataLength)
                throw new WeightsFormatException(path, $"truncated: tensor {t.Name} ends at data offset {t.End} but the data has only {dataLength} bytes");
            expected = t.End;
            previous = t;
        }
        if (expected != dataLength)
            throw new WeightsFormatException(path, $"{dataLength - expected} bytes at the end of the data belong to no tensor (the tensors cover {expected} of {dataLength})");
        tensors.Clear();
        tensors.AddRange(ordered);
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}

namespace VggSharp.Interop;

/// <summary>The header name and element size of each <see cref="SafetensorsDataType"/>.</summary>
public static class SafetensorsDataTypes
{
    private static readonly Dictionary<string, (SafetensorsDataType Type, int Size)> ByName = new(StringComparer.Ordinal)
    {
        ["BOOL"] = (SafetensorsDataType.Bool, 1),
        ["U8"] = (SafetensorsDataType.U8, 1),
        ["I8"] = (SafetensorsDataType.I8, 1),
        ["F8_E5M2"] = (SafetensorsDataType.F8E5M2, 1),
        ["F8_E4M3"] = (SafetensorsDataType.F8E4M3, 1),
        ["I16"] = (SafetensorsDataType.I16, 2),
        ["U16"] = (SafetensorsDataType.U16, 2),
        ["F16"] = (SafetensorsDataType.F16, 2),
        ["BF16"] = (SafetensorsDataType.BF16, 2),
        ["I32"] = (SafetensorsDataType.I32, 4),
        ["U32"] = (SafetensorsDataType.U32, 4),
        ["F32"] = (SafetensorsDataType.F32, 4),
        ["F64"] = (SafetensorsDataType.F64, 8),
        ["I64"] = (SafetensorsDataType.I64, 8),
        ["U64"] = (SafetensorsDataType.U64, 8),
    };

    private static readonly Dictionary<SafetensorsDataType, (string Name, int Size)> ByType =
        ByName.ToDictionary(e => e.Value.Type, e => (e.Key, e.Value.Size));

    /// <summary>The type a header names, or false for a name the format does not define (names are case-sensitive).</summary>
    public static bool TryParse(string name, out SafetensorsDataType type)
    {
        bool known = ByName.TryGetValue(name, out var entry);
        type = entry.Type;
        return known;
    }

    /// <summary>The name used in headers ("F32").</summary>
    public static string HeaderName(this SafetensorsDataType type) => ByType[type].Name;

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafetensorsDataType type) => ByType[type].Size;
}

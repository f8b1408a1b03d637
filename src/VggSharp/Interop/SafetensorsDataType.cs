namespace VggSharp.Interop;

/// <summary>
/// The element types the safetensors format names ("F32", "I64", "BF16"...). All are recognised in a header;
/// only <see cref="F32"/> and <see cref="I64"/> load into a model.
/// </summary>
public enum SafetensorsDataType
{
    /// <summary>"BOOL", one byte.</summary>
    Bool,

    /// <summary>"U8".</summary>
    U8,

    /// <summary>"I8".</summary>
    I8,

    /// <summary>"F8_E5M2", 8-bit float with 5 exponent bits.</summary>
    F8E5M2,

    /// <summary>"F8_E4M3", 8-bit float with 4 exponent bits.</summary>
    F8E4M3,

    /// <summary>"I16".</summary>
    I16,

    /// <summary>"U16".</summary>
    U16,

    /// <summary>"F16", IEEE half precision.</summary>
    F16,

    /// <summary>"BF16", bfloat16.</summary>
    BF16,

    /// <summary>"I32".</summary>
    I32,

    /// <summary>"U32".</summary>
    U32,

    /// <summary>"F32", IEEE single precision: weights and statistics.</summary>
    F32,

    /// <summary>"F64", IEEE double precision.</summary>
    F64,

    /// <summary>"I64": batch norm's num_batches_tracked.</summary>
    I64,

    /// <summary>"U64".</summary>
    U64,
}

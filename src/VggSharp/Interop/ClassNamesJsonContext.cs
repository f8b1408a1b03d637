using System.Text.Json.Serialization;

namespace VggSharp.Interop;

/// <summary>Compile-time serialisation metadata for the class names stored with a model.</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class ClassNamesJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using VggSharp.Data.Transforms;
using VggSharp.Experiments;
using VggSharp.Training;

namespace VggSharp;

/// <summary>
/// Compile-time serialisation metadata for every record the library writes or sends as JSON: checkpoint and model
/// metadata (options, statistics, schedule, position, class names), metrics lines, a job's set-up message, and a study's settings and kept evaluations. A
/// trimmed, single-file build has no reflection-based serialisation, so every such record is listed here. The default
/// settings write exactly what reflection wrote before (property names as declared, enums as their converters say).
/// </summary>
[JsonSerializable(typeof(TrainingOptions))]
[JsonSerializable(typeof(CheckpointOptions))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(ChannelStatistics))]
[JsonSerializable(typeof(EpochProgress))]
[JsonSerializable(typeof(EpochMetrics))]
[JsonSerializable(typeof(TrainingPosition))]
[JsonSerializable(typeof(LearningRateScheduleState))]
[JsonSerializable(typeof(Checkpoint.OptimizerRecord))]
[JsonSerializable(typeof(ReplicaSetup))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(StudySettings))]
[JsonSerializable(typeof(RowEvaluation))]
internal sealed partial class PersistedJson : JsonSerializerContext
{
    /// <summary>
    /// The metadata of <typeparamref name="T"/> under <paramref name="settings"/> (whose resolver must be
    /// <see cref="Default"/>), or under the default settings; a type not listed above is a <see cref="NotSupportedException"/>.
    /// </summary>
    public static JsonTypeInfo<T> Of<T>(JsonSerializerOptions? settings = null) => (JsonTypeInfo<T>)(settings ?? Default.Options).GetTypeInfo(typeof(T));

    /// <summary>
    /// <paramref name="json"/> as a <typeparamref name="T"/>; with <paramref name="defaults"/>, a property the JSON lacks
    /// (one added after it was written) keeps its value there, in nested objects too. Reflection-based reading kept a
    /// property initialiser's value; generated metadata sets an absent init-only property to 0 or null.
    /// </summary>
    public static T? Read<T>(string json, JsonTypeInfo<T> typeInfo, T? defaults = null) where T : class
    {
        if (defaults is null || JsonNode.Parse(json) is not JsonObject stored) return JsonSerializer.Deserialize(json, typeInfo);
        var merged = JsonSerializer.SerializeToNode(defaults, typeInfo)!.AsObject();
        Overlay(merged, stored);
        return merged.Deserialize(typeInfo);
    }

    private static void Overlay(JsonObject target, JsonObject source)
    {
        foreach (var (name, value) in source)
        {
            if (value is JsonObject inner && target[name] is JsonObject existing) Overlay(existing, inner);
            else target[name] = value?.DeepClone();
        }
    }
}

using System.Text.Json.Serialization;
using VggSharp.Models;

namespace VggSharp.Experiments;

/// <summary>
/// What a study's runs and evaluations depend on beyond their names, kept in study.json in its directory: a later
/// study in the same directory reuses the finished runs only when these agree (seeds, tables and --init may differ:
/// they only add runs).
/// </summary>
internal sealed record StudySettings
{
    public const string FileName = "study.json";

    public required string Data { get; init; }
    public double Width { get; init; }
    public int Epochs { get; init; }
    public int CropSize { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<VggHead>))]
    public VggHead Head { get; init; }
    public double LearningRate { get; init; }
    public int BatchSize { get; init; }
    public int? Limit { get; init; }
    public int? ValidationLimit { get; init; }

    public static StudySettings From(ExperimentOptions options) => new()
    {
        Data = options.Data, Width = options.Width, Epochs = options.Epochs, CropSize = options.CropSize, Head = options.Head,
        LearningRate = options.LearningRate, BatchSize = options.BatchSize, Limit = options.Limit, ValidationLimit = options.ValidationLimit,
    };
}

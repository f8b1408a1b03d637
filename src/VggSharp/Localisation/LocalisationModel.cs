using System.Text.Json;
using VggSharp.Data;
using VggSharp.Distributed;
using VggSharp.Interop;
using VggSharp.Models;
using VggSharp.Training;

namespace VggSharp.Localisation;

/// <summary>
/// Builds the paper's localisation network from a classification one (Appendix A: the last fully-connected layer
/// predicts boxes, everything else starts from the classifier of the same configuration), and checks that a run's data
/// carry boxes.
/// </summary>
public static class LocalisationModel
{
    /// <summary>The torchvision prefix of the fully-connected layers' parameter keys.</summary>
    private const string ClassifierPrefix = "classifier.";

    /// <summary>
    /// A new network of <paramref name="classifier"/>'s configuration whose last layer is a box head for
    /// <paramref name="objective"/>: every other layer's weights (and batch-norm statistics) copied from the classifier,
    /// the head drawn by <paramref name="scheme"/> from <paramref name="seed"/>. The classifier stays the caller's.
    /// </summary>
    public static VggModel FromClassifier(VggModel classifier, LocalisationObjective objective, InitScheme scheme = VggModel.DefaultInitScheme,
        ulong seed = VggModel.DefaultSeed)
    {
        if (classifier.IsFullyConvolutional) throw new ArgumentException("Start a localisation network from the classifier's ordinary form.");
        var model = VggModel.Create(classifier.Options with { Classes = objective.OutputsFor(classifier.Options.Classes) }, classifier.Network.Backend, scheme, seed);
        try
        {
            var roles = classifier.LayerRoles.Where(r => classifier.FindLayer(r)!.State().Any()).ToList();
            WarmStart.CopyLayers(model, classifier, roles.Take(roles.Count - 1), "Starting the localisation network from the classifier");
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The model file's metadata key that names a localisation model's regression ("SingleClass" or "PerClass").</summary>
    public const string RegressionKey = "localisation.regression";

    /// <summary>The model file's metadata key of a localisation model's class names (a JSON array).</summary>
    public const string ClassNamesKey = "localisation.class_names";

    /// <summary>Adds what a localisation model's file says of its head: the regression and the classes.</summary>
    public static void AddMetadata(IDictionary<string, string> metadata, LocalisationObjective objective, IReadOnlyList<string> classNames)
    {
        metadata[RegressionKey] = objective.Regression.ToString();
        metadata[ClassNamesKey] = JsonSerializer.Serialize(classNames.ToArray(), PersistedJson.Default.StringArray);
    }

    /// <summary>The class names a localisation model's file stores (<see cref="ClassNamesKey"/>), or null when it has none.</summary>
    public static IReadOnlyList<string>? ReadClassNames(string path)
    {
        // Only VggSharp's own files (safetensors) carry it.
        if (WeightsFile.Detect(path) != WeightsFormat.Safetensors) return null;
        using var reader = SafetensorsReader.Open(path);
        if (!reader.Metadata.TryGetValue(ClassNamesKey, out var json)) return null;
        try
        {
            return JsonSerializer.Deserialize(json, PersistedJson.Default.StringArray);
        }
        catch (JsonException e)
        {
            throw new WeightsFormatException(path, $"{ClassNamesKey} is not a JSON array of names", e);
        }
    }

    /// <summary>Whether a parameter key (<see cref="SgdOptimizer"/>'s) belongs to a fully-connected layer.</summary>
    public static bool IsFullyConnected(string key) => key.StartsWith(ClassifierPrefix, StringComparison.Ordinal);

    /// <summary><paramref name="data"/> as annotated data, or an error saying the <paramref name="which"/> set has no boxes.</summary>
    public static LocalisationDataset RequireAnnotated(IImageDataset data, string which) =>
        data as LocalisationDataset ?? throw new ArgumentException($"Localisation needs boxes: open the {which} set as a {nameof(LocalisationDataset)} (PASCAL VOC .xml files beside the images).");

    /// <summary>Checks what a localisation run needs before it starts: annotated data, and one process.</summary>
    public static void CheckRun(TrainingOptions options, IImageDataset train, IImageDataset validation, DistributedOptions? distributed)
    {
        if (options.Localisation is null) return;
        RequireAnnotated(train, "training");
        RequireAnnotated(validation, "validation");
        if (distributed is not null) throw new NotSupportedException("Localisation training runs in one process; start it without mpirun.");
    }
}

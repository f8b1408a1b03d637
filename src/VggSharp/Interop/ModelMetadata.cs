using System.Globalization;
using System.Text.Json;
using VggSharp.Models;

namespace VggSharp.Interop;

/// <summary>
/// The one mapping between <see cref="VggOptions"/> and the string metadata stored with weights ("vggsharp.*" keys):
/// architecture and preprocessing, numbers in invariant culture and round-trippable form.
/// </summary>
internal static class ModelMetadata
{
    /// <summary>The prefix of every key this library writes; extra metadata may not use it.</summary>
    public const string Prefix = "vggsharp.";

    /// <summary>The metadata layout version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    public const string FormatVersionKey = Prefix + "format_version";
    public const string ConfigurationKey = Prefix + "configuration";
    public const string ClassesKey = Prefix + "classes";
    public const string InputChannelsKey = Prefix + "input_channels";
    public const string InputSizeKey = Prefix + "input_size";
    public const string WidthMultiplierKey = Prefix + "width_multiplier";
    public const string HeadKey = Prefix + "head";
    public const string HiddenUnitsKey = Prefix + "hidden_units";
    public const string DropoutKey = Prefix + "dropout";
    public const string PixelScaleKey = Prefix + "preprocessing.pixel_scale";
    public const string MeanKey = Prefix + "preprocessing.mean";
    public const string StdKey = Prefix + "preprocessing.std";
    public const string BgrKey = Prefix + "preprocessing.bgr";

    /// <summary>The class names as a JSON array of strings, label i being name i; optional.</summary>
    public const string ClassNamesKey = Prefix + "class_names";

    /// <summary>Where class names were stored as extra metadata before <see cref="ClassNamesKey"/>; read when that is absent.</summary>
    public const string ExtraClassNamesKey = "class_names";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Whether <paramref name="metadata"/> was written by this library.</summary>
    public static bool IsPresent(IReadOnlyDictionary<string, string> metadata) => metadata.ContainsKey(FormatVersionKey);

    /// <summary>The metadata for <paramref name="options"/>; the configuration is stored by its canonical name.</summary>
    public static Dictionary<string, string> From(VggOptions options)
    {
        var configuration = VggConfiguration.Parse(options.Configuration);
        var preprocessing = options.EffectivePreprocessing;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatVersionKey] = FormatVersion.ToString(Invariant),
            [ConfigurationKey] = configuration.Name,
            [ClassesKey] = options.Classes.ToString(Invariant),
            [InputChannelsKey] = options.InputChannels.ToString(Invariant),
            [InputSizeKey] = options.InputSize.ToString(Invariant),
            [WidthMultiplierKey] = options.WidthMultiplier.ToString("R", Invariant),
            [HeadKey] = options.Head.ToString(),
            // The effective value, so that a later change of the default cannot change a saved model.
            [HiddenUnitsKey] = options.EffectiveHiddenUnits.ToString(Invariant),
            [DropoutKey] = options.Dropout.ToString("R", Invariant),
            [PixelScaleKey] = preprocessing.PixelScale.ToString("R", Invariant),
            [MeanKey] = string.Join(",", preprocessing.Mean.Select(m => m.ToString("R", Invariant))),
            [StdKey] = string.Join(",", preprocessing.Std.Select(s => s.ToString("R", Invariant))),
            [BgrKey] = preprocessing.Bgr ? "true" : "false",
        };
    }

    /// <summary>The entry for <paramref name="classNames"/>, checked to name each of <paramref name="classes"/> classes once.</summary>
    public static string ClassNamesValue(IReadOnlyList<string> classNames, int classes)
    {
        if (classNames.Count != classes)
            throw new ArgumentException($"{classNames.Count} class names for a model of {classes} classes.", nameof(classNames));
        return JsonSerializer.Serialize(classNames.ToArray(), PersistedJson.Default.StringArray);
    }

    /// <summary>
    /// The class names stored under <see cref="ClassNamesKey"/> (or, failing that, <see cref="ExtraClassNamesKey"/>),
    /// or null when there are none; a value that is not a JSON array of <paramref name="classes"/> strings is a
    /// <see cref="WeightsFormatException"/>.
    /// </summary>
    public static IReadOnlyList<string>? ClassNames(IReadOnlyDictionary<string, string> metadata, int classes, string path)
    {
        string key = metadata.ContainsKey(ClassNamesKey) ? ClassNamesKey : ExtraClassNamesKey;
        if (!metadata.TryGetValue(key, out var json)) return null;
        string[]? names;
        try
        {
            names = JsonSerializer.Deserialize(json, PersistedJson.Default.StringArray);
        }
        catch (JsonException)
        {
            names = null;
        }
        if (names is null || names.Any(n => n is null))
            throw new WeightsFormatException(path, $"metadata {key} is not a JSON array of strings");
        if (names.Length != classes)
            throw new WeightsFormatException(path, $"metadata {key} names {names.Length} classes but the model has {classes}");
        return names;
    }

    /// <summary>The configuration name the metadata records, or null when the metadata is not this library's.</summary>
    public static string? ConfigurationName(IReadOnlyDictionary<string, string> metadata) => metadata.GetValueOrDefault(ConfigurationKey);

    /// <summary>Rebuilds and validates the options; any missing or malformed value is a <see cref="WeightsFormatException"/> for <paramref name="path"/>.</summary>
    public static VggOptions ToOptions(IReadOnlyDictionary<string, string> metadata, string path)
    {
        string Get(string key) => metadata.TryGetValue(key, out var value)
            ? value
            : throw new WeightsFormatException(path, $"the VggSharp metadata lacks {key}");
        WeightsFormatException Bad(string key) => new(path, $"metadata {key} has the malformed value '{metadata[key]}'");
        int Integer(string key) => int.TryParse(Get(key), NumberStyles.None, Invariant, out int v) ? v : throw Bad(key);
        float[] Floats(string key) => Get(key).Split(',').Select(text =>
            float.TryParse(text, NumberStyles.Float, Invariant, out float v) ? v : throw Bad(key)).ToArray();

        if (Integer(FormatVersionKey) != FormatVersion)
            throw new WeightsFormatException(path, $"metadata format version {Get(FormatVersionKey)} is not the version {FormatVersion} this library reads");
        var options = new VggOptions
        {
            Configuration = Get(ConfigurationKey),
            Classes = Integer(ClassesKey),
            InputChannels = Integer(InputChannelsKey),
            InputSize = Integer(InputSizeKey),
            WidthMultiplier = double.TryParse(Get(WidthMultiplierKey), NumberStyles.Float, Invariant, out double width) ? width : throw Bad(WidthMultiplierKey),
            Head = Enum.GetValues<VggHead>().Select(h => (VggHead?)h).FirstOrDefault(h => h.ToString() == Get(HeadKey)) ?? throw Bad(HeadKey),
            HiddenUnits = Integer(HiddenUnitsKey),
            Dropout = Floats(DropoutKey) is [float dropout] ? dropout : throw Bad(DropoutKey),
            Preprocessing = new Preprocessing(
                Floats(PixelScaleKey) is [float scale] ? scale : throw Bad(PixelScaleKey),
                Floats(MeanKey),
                Floats(StdKey),
                Get(BgrKey) switch { "true" => true, "false" => false, _ => throw Bad(BgrKey) }),
        };
        try
        {
            options.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new WeightsFormatException(path, $"the VggSharp metadata describes an invalid model: {e.Message}", e);
        }
        return options;
    }
}

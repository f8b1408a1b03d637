using System.Globalization;

namespace VggSharp.Models;

/// <summary>
/// The convolutional part of a VGG network: the paper's Table 1 configurations A, A-LRN, B, C, D and E, their
/// batch-norm variants, torchvision's names, or a custom layer string.
/// </summary>
public sealed class VggConfiguration
{
    private static readonly Dictionary<string, (string Layers, bool BatchNorm)> Named = new(StringComparer.OrdinalIgnoreCase)
    {
        ["A"] = ("64,M,128,M,256,256,M,512,512,M,512,512,M", false),
        ["A-LRN"] = ("64,LRN,M,128,M,256,256,M,512,512,M,512,512,M", false),
        ["B"] = ("64,64,M,128,128,M,256,256,M,512,512,M,512,512,M", false),
        ["C"] = ("64,64,M,128,128,M,256,256,256/1,M,512,512,512/1,M,512,512,512/1,M", false),
        ["D"] = ("64,64,M,128,128,M,256,256,256,M,512,512,512,M,512,512,512,M", false),
        ["E"] = ("64,64,M,128,128,M,256,256,256,256,M,512,512,512,512,M,512,512,512,512,M", false),
    };

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["vgg11"] = "A", ["vgg13"] = "B", ["vgg16"] = "D", ["vgg19"] = "E",
        ["vgg11_bn"] = "A-BN", ["vgg13_bn"] = "B-BN", ["vgg16_bn"] = "D-BN", ["vgg19_bn"] = "E-BN",
    };

    private VggConfiguration(string name, IReadOnlyList<FeatureItem> features, bool batchNorm)
    {
        Name = name;
        Features = features;
        BatchNorm = batchNorm;
    }

    /// <summary>The canonical name ("D", "A-BN") or, for a custom configuration, its layer string ("BN:64,M,128,M").</summary>
    public string Name { get; }

    /// <summary>The items of the convolutional part, in order.</summary>
    public IReadOnlyList<FeatureItem> Features { get; }

    /// <summary>Whether each convolution is followed by batch normalisation.</summary>
    public bool BatchNorm { get; }

    /// <summary>The number of weight layers (convolutions plus the three fully-connected layers), as the paper counts.</summary>
    public int WeightLayers => Features.Count(f => f.Kind == FeatureKind.Convolution) + 3;

    /// <summary>The number of max-pooling stages.</summary>
    public int PoolCount => Features.Count(f => f.Kind == FeatureKind.MaxPool);

    /// <summary>The names this class accepts besides custom strings.</summary>
    public static IReadOnlyList<string> KnownNames =>
        [.. Named.Keys, "A-BN", "B-BN", "D-BN", "E-BN", .. Aliases.Keys];

    /// <summary>
    /// Parses a configuration: a name from Table 1 ("A", "A-LRN", "B", "C", "D", "E"), a batch-norm variant
    /// ("A-BN", "B-BN", "D-BN", "E-BN"), a torchvision name ("vgg16", "vgg16_bn"), or a custom layer string of
    /// comma-separated tokens: N for a 3x3 convolution with N channels, N/1 for a 1x1 one, M for max pooling,
    /// LRN for local response normalisation, optionally prefixed with "BN:" for batch norm.
    /// </summary>
    public static VggConfiguration Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string name = text.Trim();
        if (Aliases.TryGetValue(name, out var canonical)) name = canonical;
        bool bn = false;
        string baseName = name;
        if (name.EndsWith("-BN", StringComparison.OrdinalIgnoreCase))
        {
            bn = true;
            baseName = name[..^3];
        }
        if (Named.TryGetValue(baseName, out var named))
        {
            if (bn && baseName.Equals("A-LRN", StringComparison.OrdinalIgnoreCase))
                throw new FormatException("Configuration A-LRN has no batch-norm variant (the paper found LRN does not help; use A-BN).");
            string canonicalName = baseName.ToUpperInvariant() + (bn ? "-BN" : "");
            return new VggConfiguration(canonicalName, ParseLayers(named.Layers, text), bn);
        }
        if (!name.Contains(',') && !char.IsDigit(name.Replace("BN:", "", StringComparison.OrdinalIgnoreCase).FirstOrDefault()))
            throw new FormatException($"Unknown configuration '{text}'. Known: {string.Join(", ", KnownNames)}, or a layer string such as 64,M,128,M.");
        string layers = name;
        if (layers.StartsWith("BN:", StringComparison.OrdinalIgnoreCase))
        {
            bn = true;
            layers = layers[3..];
        }
        var items = ParseLayers(layers, text);
        if (!items.Any(i => i.Kind == FeatureKind.Convolution)) throw new FormatException($"Configuration '{text}' has no convolution.");
        if (items[0].Kind != FeatureKind.Convolution) throw new FormatException($"Configuration '{text}' must start with a convolution.");
        string canonicalCustom = (bn ? "BN:" : "") + string.Join(",", items);
        return new VggConfiguration(canonicalCustom, items, bn);
    }

    private static List<FeatureItem> ParseLayers(string layers, string original)
    {
        var items = new List<FeatureItem>();
        foreach (string raw in layers.Split(','))
        {
            string token = raw.Trim();
            if (token.Equals("M", StringComparison.OrdinalIgnoreCase)) items.Add(new FeatureItem(FeatureKind.MaxPool));
            else if (token.Equals("LRN", StringComparison.OrdinalIgnoreCase)) items.Add(new FeatureItem(FeatureKind.LocalResponseNorm));
            else
            {
                string[] parts = token.Split('/');
                int kernel = 3;
                if (parts.Length > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int channels) || channels <= 0
                    || (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out kernel) || (kernel != 1 && kernel != 3))))
                    throw new FormatException($"Configuration '{original}': bad token '{token}' (expected N, N/1, N/3, M or LRN).");
                items.Add(new FeatureItem(FeatureKind.Convolution, channels, kernel));
            }
        }
        return items;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

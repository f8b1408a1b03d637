namespace VggSharp.Localisation;

/// <summary>
/// How <see cref="ClutteredSet"/> constructs its localisation data: canvas size, object scales, clutter and counts.
/// Defaults: 64x64 canvases, items rescaled to 20-48 pixels, 6 clutter pieces of 10x10, 100 training and 20 validation
/// images per class.
/// </summary>
public sealed record ClutteredSetOptions
{
    /// <summary>The Fashion-MNIST IDX files' folder.</summary>
    public string Source { get; init; } = Data.FashionMnist.DebianDirectory;

    /// <summary>The folder to write (train/ and val/ inside); it must not exist or be empty.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The side of the square canvas.</summary>
    public int CanvasSize { get; init; } = 64;

    /// <summary>The smallest side an item is rescaled to.</summary>
    public int MinObjectSize { get; init; } = 20;

    /// <summary>The largest side an item is rescaled to (at most the canvas).</summary>
    public int MaxObjectSize { get; init; } = 48;

    /// <summary>Pieces of other items scattered over each canvas.</summary>
    public int ClutterPieces { get; init; } = 6;

    /// <summary>The side of a clutter piece (cut from a 28x28 item).</summary>
    public int ClutterSize { get; init; } = 10;

    /// <summary>Training images per class.</summary>
    public int TrainPerClass { get; init; } = 100;

    /// <summary>Validation images per class.</summary>
    public int ValidationPerClass { get; init; } = 20;

    /// <summary>The seed every placement derives from.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks every value.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new ArgumentException("The constructed data set needs an output folder.");
        if (CanvasSize is < 8 or > 4096) throw new ArgumentException($"The canvas size must be in [8, 4096], got {CanvasSize}.");
        if (MinObjectSize < 4 || MaxObjectSize < MinObjectSize || MaxObjectSize > CanvasSize)
            throw new ArgumentException($"Object sizes must satisfy 4 <= min <= max <= canvas ({CanvasSize}), got [{MinObjectSize}, {MaxObjectSize}].");
        if (ClutterPieces is < 0 or > 1000) throw new ArgumentException($"Clutter pieces must be in [0, 1000], got {ClutterPieces}.");
        if (ClutterSize is < 1 or > 28 || ClutterSize > CanvasSize) throw new ArgumentException($"The clutter size must be in [1, 28] and fit the canvas, got {ClutterSize}.");
        if (TrainPerClass < 1 || ValidationPerClass < 1) throw new ArgumentException("At least one training and one validation image per class are needed.");
    }
}

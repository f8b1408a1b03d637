using VggSharp.Localisation;

namespace VggSharp.Tests.Localisation;

/// <summary>A tiny constructed localisation set (10 classes, 4 training and 2 validation canvases each, 32x32), written once per test class.</summary>
public sealed class ClutteredSetFixture : IDisposable
{
    public ClutteredSetFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "vggsharp-loc-" + Guid.NewGuid().ToString("N"));
        Options = new ClutteredSetOptions
        {
            OutputDirectory = Path.Combine(Root, "data"), CanvasSize = 32, MinObjectSize = 12, MaxObjectSize = 24, ClutterPieces = 2, ClutterSize = 6,
            TrainPerClass = 4, ValidationPerClass = 2, Seed = 7,
        };
        Written = ClutteredSet.Write(Options);
    }

    public string Root { get; }

    public ClutteredSetOptions Options { get; }

    public int Written { get; }

    public string Data => Options.OutputDirectory;

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}

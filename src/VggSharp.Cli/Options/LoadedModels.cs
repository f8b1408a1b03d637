using VggSharp.Interop;
using VggSharp.Models;

namespace VggSharp.Cli.Options;

/// <summary>The models named by --weights, loaded from files of any format (<see cref="WeightsFile"/>), disposed together.</summary>
internal sealed class LoadedModels : IDisposable
{
    private readonly List<VggModel> _models = [];

    /// <summary>Loads every file; if one fails, those already loaded are disposed.</summary>
    public LoadedModels(IReadOnlyList<string> paths, WeightsLoadOptions options)
    {
        Paths = paths;
        try
        {
            foreach (string path in paths) _models.Add(WeightsFile.Load(path, options));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The files, in --weights order.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>The models, in --weights order.</summary>
    public IReadOnlyList<VggModel> Models => _models;

    /// <inheritdoc />
    public void Dispose() => _models.ForEach(model => model.Dispose());
}

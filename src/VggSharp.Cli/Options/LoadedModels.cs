using VggSharp.Interop;
using VggSharp.Models;

namespace VggSharp.Cli.Options;

/// <summary>The models named by --weights, loaded from VggSharp files, disposed together.</summary>
internal sealed class LoadedModels : IDisposable
{
    private readonly List<VggModel> _models = [];

    /// <summary>Loads every file; if one fails, those already loaded are disposed.</summary>
    public LoadedModels(IReadOnlyList<string> paths)
    {
        Paths = paths;
        try
        {
            foreach (string path in paths) _models.Add(VggModelFile.Load(path));
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

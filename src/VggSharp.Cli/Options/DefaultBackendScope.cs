using VggSharp.Kernels;

namespace VggSharp.Cli.Options;

/// <summary>
/// Makes a backend <see cref="Backends.Default"/> (which the loaders and the trainer build their models for) until
/// disposed, then restores the previous one; with no backend it changes nothing.
/// </summary>
internal sealed class DefaultBackendScope : IDisposable
{
    private readonly IBackend? _previous;

    /// <summary>Installs <paramref name="backend"/> as the default, when given.</summary>
    public DefaultBackendScope(IBackend? backend)
    {
        if (backend is null) return;
        _previous = Backends.Default;
        Backends.Default = backend;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_previous is not null) Backends.Default = _previous;
    }
}

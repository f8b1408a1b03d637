using System.Reflection;
using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// Opens the CUDA libraries for the bindings' logical names (<see cref="CudaLibraryNames"/>): .NET would look for
/// libcudnn.so rather than libcudnn.so.9, and the libraries open their own parts by name at run time, so each is
/// found by <see cref="CudaLibraryLocator"/> and loaded with its dependencies first, by absolute path. Registered only
/// when a CUDA backend is created, so CPU-only runs never load any of them.
/// </summary>
internal static class CudaLibraryResolver
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, nint> Loaded = [];
    private static readonly List<string> PreloadFailures = [];
    private static bool _registered;

    /// <summary>Installs the resolver for this assembly's P/Invoke bindings (once).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            NativeLibrary.SetDllImportResolver(typeof(CudaLibraryResolver).Assembly, Resolve);
            _registered = true;
        }
    }

    /// <summary>Dependencies that were found but failed to load (reported when a library then fails).</summary>
    public static string PreloadProblems
    {
        get
        {
            lock (Gate) return string.Join("; ", PreloadFailures);
        }
    }

    /// <summary>
    /// Loads <paramref name="library"/> (a <see cref="CudaLibraryNames"/> name) and what it needs, or throws a
    /// <see cref="DllNotFoundException"/> that says where it looked. Loaded libraries are kept for the process's life.
    /// </summary>
    public static nint Load(string library)
    {
        lock (Gate)
        {
            if (Loaded.TryGetValue(library, out nint handle)) return handle;
            // cuBLAS and cuDNN use the runtime; cuDNN also cuBLAS, and NVRTC for its run-time compiled engines.
            string[] uses = library switch
            {
                CudaLibraryNames.Blas => [CudaLibraryNames.Runtime],
                CudaLibraryNames.Dnn => [CudaLibraryNames.Runtime, CudaLibraryNames.Blas, CudaLibraryNames.Rtc],
                _ => [],
            };
            foreach (string used in uses)
            {
                try
                {
                    Load(used);
                }
                catch (DllNotFoundException e)
                {
                    PreloadFailures.Add(e.Message);
                }
            }
            handle = library == CudaLibraryNames.Driver && NativeLibrary.TryLoad(CudaLibraryLocator.DriverFile, out nint driver)
                ? driver
                : LoadFiles(library);
            Loaded[library] = handle;
            return handle;
        }
    }

    private static nint LoadFiles(string library)
    {
        var locator = CudaLibraryLocator.ForThisProcess();
        var files = locator.Find(library);
        if (files is null)
        {
            string names = string.Join(" or ", CudaLibraryLocator.Versions(library).Select(v => v.MainFile));
            throw new DllNotFoundException(
                $"{names} was not found (searched {string.Join(", ", locator.Folders())}); set {CudaLibraryLocator.PathVariable} to the folder holding it.");
        }
        for (int i = 0; i < files.Count - 1; i++)
            if (!NativeLibrary.TryLoad(files[i], out _)) PreloadFailures.Add($"{files[i]} could not be loaded");
        try
        {
            return NativeLibrary.Load(files[^1]);
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException($"{files[^1]} could not be loaded: {e.Message}", e);
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) => name switch
    {
        CudaLibraryNames.Driver or CudaLibraryNames.Runtime or CudaLibraryNames.Blas or CudaLibraryNames.Dnn or CudaLibraryNames.Rtc => Load(name),
        _ => 0,
    };
}

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// Where the CUDA libraries are looked for, in order, and which files make up each one. The folders: every entry of
/// VGGSHARP_CUDA_PATH (itself, then its lib64 and lib), every entry of LD_LIBRARY_PATH, the CUDA toolkit's folders
/// (/usr/local/cuda, then /usr/local/cuda-X.Y newest first), the distribution's library folders, the driver's folder
/// of NVIDIA's container images, and the pip wheels' folders (nvidia/cu13/lib, nvidia/{cublas,cuda_runtime,cuda_nvrtc,
/// cudnn}/lib) under every Python site-packages or dist-packages found. A library is the first folder, in that order,
/// holding one of its versions' main files; its dependencies are preloaded from the same folder.
/// </summary>
/// <param name="environment">Reads an environment variable (null when unset).</param>
/// <param name="root">The file-system root the fixed folders are under ("/" except in tests).</param>
internal sealed class CudaLibraryLocator(Func<string, string?> environment, string root)
{
    /// <summary>The environment variable naming extra folders (separated by ':') searched first.</summary>
    public const string PathVariable = "VGGSHARP_CUDA_PATH";

    /// <summary>The CUDA driver's library, never shipped with the toolkit or the wheels: opened by name first.</summary>
    public const string DriverFile = "libcuda.so.1";

    private static readonly string[] WheelFolders =
        ["nvidia/cu13/lib", "nvidia/cudnn/lib", "nvidia/cublas/lib", "nvidia/cuda_runtime/lib", "nvidia/cuda_nvrtc/lib"];

    /// <summary>The locator for this process's environment and file system.</summary>
    public static CudaLibraryLocator ForThisProcess() => new(Environment.GetEnvironmentVariable, "/");

    /// <summary>The versions of a logical library, newest first: each a main file and the files to preload before it (patterns with * allowed).</summary>
    public static IReadOnlyList<LibraryVersion> Versions(string library) => library switch
    {
        CudaLibraryNames.Runtime => [new("libcudart.so.13", []), new("libcudart.so.12", [])],
        CudaLibraryNames.Blas => [new("libcublas.so.13", ["libcublasLt.so.13"]), new("libcublas.so.12", ["libcublasLt.so.12"])],
        CudaLibraryNames.Rtc =>
        [
            new("libnvrtc.so.13", ["libnvrtc-builtins.so.13*"]),
            new("libnvrtc.so.12", ["libnvrtc-builtins.so.12*"]),
            new("libnvrtc.so.11.2", ["libnvrtc-builtins.so.11*"]),
        ],
        CudaLibraryNames.Dnn =>
        [
            new("libcudnn.so.9",
            [
                "libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
                "libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9",
            ]),
        ],
        CudaLibraryNames.Driver => [new(DriverFile, [])],
        _ => throw new ArgumentException($"Unknown CUDA library '{library}'.", nameof(library)),
    };

    /// <summary>The folders searched, in order, without duplicates; folders that do not exist are left out.</summary>
    public IReadOnlyList<string> Folders()
    {
        var folders = new List<string>();
        foreach (string entry in Split(environment(PathVariable)))
        {
            folders.Add(entry);
            folders.Add(Path.Combine(entry, "lib64"));
            folders.Add(Path.Combine(entry, "lib"));
        }
        folders.AddRange(Split(environment("LD_LIBRARY_PATH")));
        folders.Add(Under("usr/local/cuda/lib64"));
        folders.Add(Under("usr/local/cuda/targets/x86_64-linux/lib"));
        folders.AddRange(NewestFirst(Matching(Under("usr/local"), "cuda-*")).Select(d => Path.Combine(d, "lib64")));
        folders.Add(Under("usr/lib/x86_64-linux-gnu"));
        folders.Add(Under("usr/lib64"));
        folders.Add(Under("usr/local/nvidia/lib64"));
        foreach (string sitePackages in SitePackages())
            folders.AddRange(WheelFolders.Select(w => Path.Combine(sitePackages, w)));
        return folders.Where(Directory.Exists).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// The files to load for <paramref name="library"/>, dependencies first and the main file last, all by absolute path
    /// from the first folder holding a main file; null when no folder has one.
    /// </summary>
    public IReadOnlyList<string>? Find(string library)
    {
        var versions = Versions(library);
        foreach (string folder in Folders())
        foreach (var version in versions)
        {
            string main = Path.Combine(folder, version.MainFile);
            if (!File.Exists(main)) continue;
            var files = version.Dependencies.SelectMany(pattern => NewestFirst(Matching(folder, pattern, files: true)).Take(1)).ToList();
            files.Add(main);
            return files;
        }
        return null;
    }

    /// <summary>Python package folders: virtual environments under /opt, /usr/local's and /usr's, the user's, VIRTUAL_ENV's and CONDA_PREFIX's.</summary>
    private IEnumerable<string> SitePackages()
    {
        var prefixes = new List<string>();
        foreach (string variable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
            if (environment(variable) is { Length: > 0 } prefix) prefixes.Add(prefix);
        foreach (string opt in Matching(Under("opt"), "*"))
        {
            prefixes.Add(opt);
            prefixes.Add(Path.Combine(opt, ".venv"));
            prefixes.Add(Path.Combine(opt, "venv"));
        }
        prefixes.Add(Under("usr/local"));
        prefixes.Add(Under("usr"));
        if (environment("HOME") is { Length: > 0 } home) prefixes.Add(Path.Combine(home, ".local"));
        foreach (string prefix in prefixes)
        foreach (string python in NewestFirst(Matching(Path.Combine(prefix, "lib"), "python3*")))
        {
            yield return Path.Combine(python, "site-packages");
            yield return Path.Combine(python, "dist-packages");
        }
        yield return Under("usr/lib/python3/dist-packages");
    }

    private string Under(string relative) => Path.Combine(root, relative);

    private static IEnumerable<string> Split(string? list) =>
        (list ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IEnumerable<string> Matching(string folder, string pattern, bool files = false)
    {
        if (!Directory.Exists(folder)) return [];
        return files ? Directory.EnumerateFiles(folder, pattern) : Directory.EnumerateDirectories(folder, pattern);
    }

    /// <summary>Sorts paths by their version numbers, highest first (python3.12 before python3.9, cuda-12.10 before cuda-12.4).</summary>
    private static IEnumerable<string> NewestFirst(IEnumerable<string> paths) =>
        paths.OrderByDescending(p => p, VersionedNameComparer.Instance);

    /// <summary>Compares names by their runs of digits as numbers, so that "python3.12" follows "python3.9".</summary>
    private sealed class VersionedNameComparer : IComparer<string>
    {
        public static readonly VersionedNameComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            string a = x ?? "", b = y ?? "";
            int i = 0, j = 0;
            while (i < a.Length && j < b.Length)
            {
                if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
                {
                    int si = i, sj = j;
                    while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                    while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                    int byNumber = long.Parse(a.AsSpan(si, Math.Min(i - si, 18))).CompareTo(long.Parse(b.AsSpan(sj, Math.Min(j - sj, 18))));
                    if (byNumber != 0) return byNumber;
                    continue;
                }
                int byChar = a[i].CompareTo(b[j]);
                if (byChar != 0) return byChar;
                i++;
                j++;
            }
            return (a.Length - i).CompareTo(b.Length - j);
        }
    }
}

namespace VggSharp.Layers;

/// <summary>A string hash that is the same in every process (string.GetHashCode is randomised per process).</summary>
internal static class StableHash
{
    /// <summary>FNV-1a over the UTF-16 code units.</summary>
    public static uint GetHashCodeStable(this string s)
    {
        uint h = 2166136261;
        foreach (char c in s) h = (h ^ c) * 16777619;
        return h;
    }
}

namespace VggSharp.Interop.Pickle;

/// <summary>
/// A Python dict or OrderedDict read from a pickle: entries in insertion order (as Python keeps them), a later
/// assignment to a string key replacing the earlier value in place, and the attributes an OrderedDict's BUILD sets
/// (a PyTorch state_dict's "_metadata").
/// </summary>
internal sealed class PickleDict
{
    private readonly List<KeyValuePair<object?, object?>> _entries = [];
    private readonly Dictionary<string, int> _stringKeys = new(StringComparer.Ordinal);

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object?, object?>> Entries => _entries;

    /// <summary>Attributes set by BUILD (an OrderedDict's __dict__); null when none were.</summary>
    public PickleDict? Attributes { get; set; }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public void Set(object? key, object? value)
    {
        if (key is string text)
        {
            if (_stringKeys.TryGetValue(text, out int index))
            {
                _entries[index] = new(key, value);
                return;
            }
            _stringKeys.Add(text, _entries.Count);
        }
        _entries.Add(new(key, value));
    }

    /// <summary>The value of a string key, or false when there is none.</summary>
    public bool TryGetValue(string key, out object? value)
    {
        bool found = _stringKeys.TryGetValue(key, out int index);
        value = found ? _entries[index].Value : null;
        return found;
    }
}

using VggSharp.Layers;

namespace VggSharp.Models;

/// <summary>
/// The paper's warm start (section 3.1): a deeper network takes the first four convolutional layers and the three
/// fully-connected layers of a trained shallower one (configuration A); the rest keeps its random initialisation.
/// Layers are matched by role: A's first four convolutions are conv1_1, conv2_1, conv3_1 and conv3_2, and they go to
/// the layers with the same roles in the deeper network, where the shapes agree.
/// </summary>
public static class WarmStart
{
    /// <summary>
    /// Copies the first <paramref name="convolutions"/> convolutions (with their batch norm, when both networks
    /// have it) and fc6-fc8 from <paramref name="source"/> into <paramref name="target"/>; returns the roles copied.
    /// Everything is checked before anything is copied, so a mismatch leaves the target untouched.
    /// </summary>
    public static IReadOnlyList<string> Apply(VggModel target, VggModel source, int convolutions = 4)
    {
        if (target.IsFullyConvolutional || source.IsFullyConvolutional)
            throw new ArgumentException("Warm start works on the ordinary form of both networks.");
        var convRoles = source.LayerRoles.Where(r => r.StartsWith("conv", StringComparison.Ordinal)).Take(convolutions).ToList();
        if (convRoles.Count < convolutions)
            throw new ArgumentException($"The source network ({source.Configuration.Name}) has only {convRoles.Count} convolutions; {convolutions} are needed.");
        var roles = new List<string>();
        foreach (string conv in convRoles)
        {
            roles.Add(conv);
            string bn = "bn" + conv["conv".Length..];
            if (source.FindLayer(bn) is not null && target.FindLayer(bn) is not null) roles.Add(bn);
        }
        roles.AddRange(["fc6", "fc7", "fc8"]);
        CopyLayers(target, source, roles, "Warm start");
        return roles;
    }

    /// <summary>
    /// Copies the layers with <paramref name="roles"/> (conv1_1, bn1_1, fc6, ...) from <paramref name="source"/> into
    /// <paramref name="target"/>, checking every shape before copying anything; <paramref name="purpose"/> begins the errors.
    /// </summary>
    public static void CopyLayers(VggModel target, VggModel source, IEnumerable<string> roles, string purpose)
    {
        var pairs = new List<(StateEntry From, StateEntry To)>();
        foreach (string role in roles)
        {
            var from = source.FindLayer(role) ?? throw new ArgumentException($"{purpose}: the source network ({source.Configuration.Name}) has no layer {role}.");
            var to = target.FindLayer(role)
                ?? throw new ArgumentException($"{purpose}: the target network ({target.Configuration.Name}) has no layer {role}.");
            var fromState = from.State().ToList();
            var toState = to.State().ToDictionary(e => e.Key);
            foreach (var f in fromState)
            {
                if (!toState.TryGetValue(f.Key, out var t) || !t.Shape.SequenceEqual(f.Shape))
                    throw new ArgumentException(
                        $"{purpose}: {role}.{f.Key} is [{string.Join(", ", f.Shape)}] in the source but "
                        + (t is null ? "missing" : $"[{string.Join(", ", t.Shape)}]") + " in the target.");
                pairs.Add((f, t));
            }
        }
        foreach (var (from, to) in pairs) to.CopyFrom(from);
    }
}

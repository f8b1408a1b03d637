using VggSharp.Data;
using VggSharp.Data.Transforms;

namespace VggSharp.Evaluation;

/// <summary>One image rescaled once to every test scale the ensemble uses, so models sharing a scale share the resampling.</summary>
internal sealed class RescaledImage
{
    private readonly Dictionary<int, FloatImage> _byScale;

    private RescaledImage(Dictionary<int, FloatImage> byScale) => _byScale = byScale;

    /// <summary>Rescales <paramref name="image"/> to each scale of each member, with that member's transform.</summary>
    public static RescaledImage Of(DecodedImage image, IReadOnlyList<EnsembleMember> members)
    {
        var byScale = new Dictionary<int, FloatImage>();
        foreach (var member in members)
            foreach (int scale in member.Scales)
                if (!byScale.ContainsKey(scale)) byScale[scale] = member.Transform.Rescale(image, scale);
        return new RescaledImage(byScale);
    }

    /// <summary>The image with its smallest side at <paramref name="scale"/>.</summary>
    public FloatImage At(int scale) => _byScale[scale];
}

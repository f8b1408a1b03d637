using VggSharp.Tensors;
using VggSharp.Data;
using VggSharp.Models;

namespace VggSharp.Evaluation;

/// <summary>
/// The models of one evaluation, checked to agree on classes and input channels; an image's posterior is the mean of
/// the members' posteriors, each the mean over its scales and views.
/// </summary>
internal sealed class Ensemble : IDisposable
{
    private readonly List<EnsembleMember> _members = [];

    /// <summary>Checks <paramref name="models"/> against each other and prepares each for <paramref name="options"/>.</summary>
    public Ensemble(IReadOnlyList<VggModel> models, EvaluationOptions options)
    {
        options.Validate();
        if (models.Count == 0) throw new ArgumentException("Evaluation needs at least one model.", nameof(models));
        var first = models[0].Options;
        for (int m = 1; m < models.Count; m++)
        {
            var other = models[m].Options;
            if (other.Classes != first.Classes)
                throw new ArgumentException($"Model {m + 1} has {other.Classes} classes but model 1 has {first.Classes}; an ensemble's models share their classes.");
            if (other.InputChannels != first.InputChannels)
                throw new ArgumentException($"Model {m + 1} takes {other.InputChannels} input channels but model 1 takes {first.InputChannels}; an ensemble's models share their input.");
        }
        Classes = first.Classes;
        try
        {
            for (int m = 0; m < models.Count; m++)
            {
                BatchMemory.Check(models[m], options.BatchSize, training: false);
                _members.Add(new EnsembleMember(models[m], m + 1, options));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        bool multiCrop = options.Protocol is EvaluationProtocol.MultiCrop or EvaluationProtocol.DenseAndMultiCrop;
        // About one batch of crops per step: in multi-crop one image gives 50 crops per scale.
        ImagesPerStep = multiCrop ? Math.Max(1, options.BatchSize / EnsembleMember.MultiCropViews) : options.BatchSize;
        SmallestScale = _members.SelectMany(member => member.Scales).Min();
    }

    /// <summary>The number of classes every model predicts.</summary>
    public int Classes { get; }

    /// <summary>How many images to prepare and evaluate together.</summary>
    public int ImagesPerStep { get; }

    /// <summary>The smallest test scale of any model: the decoder may decode no smaller.</summary>
    public int SmallestScale { get; }

    /// <summary>Rescales a decoded image to every scale the members need.</summary>
    public RescaledImage Rescale(DecodedImage image) => RescaledImage.Of(image, _members);

    /// <summary>The posterior (class probabilities summing to 1) of each image.</summary>
    public float[][] Posteriors(IReadOnlyList<RescaledImage> images, CancellationToken cancellation)
    {
        var sums = images.Select(_ => new float[Classes]).ToArray();
        if (images.Count == 0) return sums;
        foreach (var member in _members) member.AddPosteriors(images, 1f / _members.Count, sums, cancellation);
        foreach (var posterior in sums)
        {
            if (FiniteValues.IndexOfNonFinite(posterior) >= 0)
                throw new NonFiniteOutputException("the network's output is NaN or infinite for an image: its weights overflow on this input, so there is no prediction to give.");
        }
        return sums;
    }

    /// <inheritdoc />
    public void Dispose() => _members.ForEach(member => member.Dispose());
}

using VggSharp.Layers;

namespace VggSharp.Models;

/// <summary>Turns options and a configuration into a layer plan with torchvision names and Caffe roles, and the plan into layers.</summary>
internal static class VggLayerBuilder
{
    public static int FeatureMapSize(VggConfiguration configuration, int inputSize)
    {
        int size = inputSize;
        foreach (var f in configuration.Features)
            if (f.Kind == FeatureKind.MaxPool) size /= 2;
        return size;
    }

    /// <summary>The layers of the network, in order, without allocating any of them.</summary>
    public static List<LayerSpec> Plan(VggOptions options, VggConfiguration configuration, bool fullyConvolutional)
    {
        var specs = new List<LayerSpec>();
        int channels = options.InputChannels, stage = 1, inStage = 0, index = 0;
        foreach (var item in configuration.Features)
        {
            string name = $"features.{index++}";
            switch (item.Kind)
            {
                case FeatureKind.Convolution:
                    int outChannels = options.Scaled(item.Channels);
                    string suffix = $"{stage}_{++inStage}";
                    specs.Add(new LayerSpec(name, $"conv{suffix}", LayerSpecKind.Convolution, channels, outChannels, item.KernelSize));
                    if (configuration.BatchNorm) specs.Add(new LayerSpec($"features.{index++}", $"bn{suffix}", LayerSpecKind.BatchNorm, OutChannels: outChannels));
                    specs.Add(new LayerSpec($"features.{index++}", $"relu{suffix}", LayerSpecKind.ReLU));
                    channels = outChannels;
                    break;
                case FeatureKind.LocalResponseNorm:
                    specs.Add(new LayerSpec(name, $"norm{stage}", LayerSpecKind.LocalResponseNorm));
                    break;
                case FeatureKind.MaxPool:
                    specs.Add(new LayerSpec(name, $"pool{stage++}", LayerSpecKind.MaxPool));
                    inStage = 0;
                    break;
            }
        }

        int map = FeatureMapSize(configuration, options.InputSize);
        int hidden = options.EffectiveHiddenUnits;
        if (!fullyConvolutional) specs.Add(new LayerSpec("flatten", "flatten", LayerSpecKind.Flatten));
        // In the fully-convolutional form fc6 is a convolution covering the whole feature map, fc7 and fc8 are 1x1.
        LayerSpec Dense(string name, string role, int inputs, int outputs, int kernel) => fullyConvolutional
            ? new LayerSpec(name, role, LayerSpecKind.Convolution, inputs, outputs, kernel)
            : new LayerSpec(name, role, LayerSpecKind.Linear, checked(inputs * kernel * kernel), outputs);
        specs.Add(Dense("classifier.0", "fc6", channels, hidden, map));
        specs.Add(new LayerSpec("classifier.1", "relu6", LayerSpecKind.ReLU));
        specs.Add(new LayerSpec("classifier.2", "drop6", LayerSpecKind.Dropout, DropoutProbability: options.Dropout));
        specs.Add(Dense("classifier.3", "fc7", hidden, hidden, 1));
        specs.Add(new LayerSpec("classifier.4", "relu7", LayerSpecKind.ReLU));
        specs.Add(new LayerSpec("classifier.5", "drop7", LayerSpecKind.Dropout, DropoutProbability: options.Dropout));
        specs.Add(Dense("classifier.6", "fc8", hidden, options.Classes, 1));
        return specs;
    }

    public static (List<Layer> Layers, string[] Roles) Build(VggOptions options, VggConfiguration configuration, bool fullyConvolutional)
    {
        var plan = Plan(options, configuration, fullyConvolutional);
        var layers = new List<Layer>(plan.Count);
        try
        {
            foreach (var spec in plan) layers.Add(spec.Build());
        }
        catch
        {
            foreach (var l in layers) l.Dispose();
            throw;
        }
        return (layers, plan.Select(s => s.Role).ToArray());
    }
}

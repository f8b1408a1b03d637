using VggSharp.Kernels;
using VggSharp.Layers;

namespace VggSharp.Models;

/// <summary>Turns options and a configuration into layers with torchvision names and Caffe roles.</summary>
internal static class VggLayerBuilder
{
    public static int FeatureMapSize(VggConfiguration configuration, int inputSize)
    {
        int size = inputSize;
        foreach (var f in configuration.Features)
            if (f.Kind == FeatureKind.MaxPool) size /= 2;
        return size;
    }

    public static (List<Layer> Layers, string[] Roles) Build(VggOptions options, VggConfiguration configuration, bool fullyConvolutional)
    {
        var layers = new List<Layer>();
        var roles = new List<string>();
        void Add(Layer layer, string role)
        {
            layers.Add(layer);
            roles.Add(role);
        }

        int channels = options.InputChannels, stage = 1, inStage = 0, index = 0;
        foreach (var item in configuration.Features)
        {
            string name = $"features.{index++}";
            switch (item.Kind)
            {
                case FeatureKind.Convolution:
                    int outChannels = options.Scaled(item.Channels);
                    inStage++;
                    string suffix = $"{stage}_{inStage}";
                    Add(new Conv2d(name, channels, outChannels, item.KernelSize, item.KernelSize / 2), $"conv{suffix}");
                    if (configuration.BatchNorm) Add(new BatchNorm2d($"features.{index++}", outChannels), $"bn{suffix}");
                    Add(new ReLU($"features.{index++}"), $"relu{suffix}");
                    channels = outChannels;
                    break;
                case FeatureKind.LocalResponseNorm:
                    Add(new LocalResponseNorm(name, LrnParameters.Krizhevsky), $"norm{stage}");
                    break;
                case FeatureKind.MaxPool:
                    Add(new MaxPool2d(name), $"pool{stage}");
                    stage++;
                    inStage = 0;
                    break;
            }
        }

        int map = FeatureMapSize(configuration, options.InputSize);
        int hidden = options.EffectiveHiddenUnits;
        if (!fullyConvolutional) Add(new Flatten("flatten"), "flatten");
        Layer Dense(string name, int inputs, int outputs, int kernel) => fullyConvolutional
            ? new Conv2d(name, inputs, outputs, kernel, padding: 0)
            : new Linear(name, inputs * kernel * kernel, outputs);
        Add(Dense("classifier.0", channels, hidden, map), "fc6");
        Add(new ReLU("classifier.1"), "relu6");
        Add(new Dropout("classifier.2", options.Dropout), "drop6");
        Add(Dense("classifier.3", hidden, hidden, 1), "fc7");
        Add(new ReLU("classifier.4"), "relu7");
        Add(new Dropout("classifier.5", options.Dropout), "drop7");
        Add(Dense("classifier.6", hidden, options.Classes, 1), "fc8");
        return (layers, roles.ToArray());
    }
}

using VggSharp.Interop;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop.Zoo;

/// <summary>
/// Keras's VGG16 weights files (keras.applications' layout, written with h5py by make_zoo_fixtures.py): the model is
/// inferred, the kernels transposed (HWIO, Dense [in, out], Flatten's channels-last order), and the logits are
/// Keras's forward pass within 1e-4; the weights expect Keras's caffe-style preprocessing.
/// </summary>
public class KerasWeightsTests
{
    [Fact]
    public void LogitsEqualKerassAt224()
    {
        string path = ZooFixtures.File("keras_vgg16.h5");
        Assert.Equal(WeightsFormat.Keras, WeightsFile.Detect(path));
        var options = WeightsFile.ReadOptions(path);
        Assert.Equal("D", options.Configuration);
        Assert.Equal(1.0 / 16, options.WidthMultiplier);
        Assert.Equal(224, options.InputSize);
        Assert.Equal(10, options.Classes);
        Assert.Equal(Preprocessing.Caffe, options.EffectivePreprocessing);

        using var vgg = WeightsFile.Load(path);
        ZooFixtures.AssertLogits(vgg, 224, "keras_vgg16.logits224.npy");
    }

    [Fact]
    public void AWholeSavedModelLoadsFromItsModelWeightsGroup()
    {
        using var weights = WeightsFile.Load(ZooFixtures.File("keras_tiny.h5"));
        using var model = WeightsFile.Load(ZooFixtures.File("keras_tiny_model.h5"));

        SmallModels.AssertSame(SmallModels.Snapshot(weights), SmallModels.Snapshot(model));
    }

    [Fact]
    public void TheNoTopFileIsRefusedSayingWhy()
    {
        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(ZooFixtures.File("keras_vgg16_notop.h5")));
        Assert.Contains("include_top=False", e.Message);
        Assert.Contains("keras_vgg16_notop.h5", e.Message);
    }

    [Fact]
    public void AnotherInputSizeIsRefused()
    {
        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(ZooFixtures.File("keras_vgg16.h5"), new WeightsLoadOptions { InputSize = 256 }));
        Assert.Contains("flattens a 7x7 feature map", e.Message);
    }

    [Fact]
    public void ConvertedToSafetensorsItKeepsItsWeightsAndPreprocessing()
    {
        using var directory = new TemporaryDirectory();
        string output = directory.File("keras.safetensors");
        WeightsFile.Convert(ZooFixtures.File("keras_vgg16.h5"), output);

        using var vgg = WeightsFile.Load(output);
        Assert.Equal(Preprocessing.Caffe, vgg.Options.EffectivePreprocessing);
        ZooFixtures.AssertLogits(vgg, 224, "keras_vgg16.logits224.npy");
    }
}

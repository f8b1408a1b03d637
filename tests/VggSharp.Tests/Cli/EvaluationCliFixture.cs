using VggSharp.Interop;
using VggSharp.Models;
using VggSharp.Tests.Data;
using VggSharp.Tests.Interop;

namespace VggSharp.Tests.Cli;

/// <summary>
/// A temporary folder with tiny trained-model files and a tiny ImageNet-layout data set (val/ with a subfolder per
/// class, six PNGs), shared by the eval and predict command tests.
/// </summary>
public sealed class EvaluationCliFixture : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    /// <summary>Writes the models and images.</summary>
    public EvaluationCliFixture()
    {
        Model = SaveModel("model.safetensors", seed: 1, classes: 3, ["ant", "bee", "cat"]);
        SecondModel = SaveModel("second.safetensors", seed: 2, classes: 3, classNames: null);
        FourClassModel = SaveModel("four.safetensors", seed: 3, classes: 4, classNames: null);
        Data = Path.Combine(_directory.Path, "data");
        int seed = 0;
        foreach (string name in new[] { "ant", "bee", "cat" })
        {
            string folder = Path.Combine(Data, "val", name);
            Directory.CreateDirectory(folder);
            for (int i = 0; i < 2; i++) TestPng.Write(Path.Combine(folder, $"{i}.png"), ResamplerTests.Noise(20 + i, 18, 3, seed++));
        }
        Image = Path.Combine(Data, "val", "bee", "0.png");
        BrokenImage = _directory.File("broken.png");
        System.IO.File.WriteAllBytes(BrokenImage, [137, 80, 78, 71, 13, 10, 26, 10, 0, 0]);
    }

    /// <summary>A model of three classes with the names ant, bee and cat stored in its file.</summary>
    public string Model { get; }

    /// <summary>Another model of the same three classes, without names.</summary>
    public string SecondModel { get; }

    /// <summary>A model of four classes, which does not fit the data.</summary>
    public string FourClassModel { get; }

    /// <summary>The data set folder.</summary>
    public string Data { get; }

    /// <summary>One of the data set's images.</summary>
    public string Image { get; }

    /// <summary>A truncated PNG outside the data set.</summary>
    public string BrokenImage { get; }

    /// <summary>A path in the fixture's folder for a file the test writes itself.</summary>
    public string File(string name) => _directory.File(name);

    private string SaveModel(string name, ulong seed, int classes, string[]? classNames)
    {
        using var model = VggModel.Create(new VggOptions
        {
            Configuration = "8,M,16,M", InputSize = 16, Classes = classes, Head = VggHead.Small, HiddenUnits = 16,
            Preprocessing = new Preprocessing(1f / 255, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]),
        }, scheme: InitScheme.Kaiming, seed: seed);
        string path = _directory.File(name);
        VggModelFile.Save(model, path, classNames: classNames);
        return path;
    }

    /// <inheritdoc />
    public void Dispose() => _directory.Dispose();
}

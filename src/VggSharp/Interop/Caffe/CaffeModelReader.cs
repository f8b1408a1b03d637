using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;

namespace VggSharp.Interop.Caffe;

/// <summary>
/// Loads Caffe .caffemodel files, such as the original release of VGG_ILSVRC_16_layers and VGG_ILSVRC_19_layers, into
/// VggSharp models. Both of Caffe's layer formats are read (the 2014 V1 layers with num/channels/height/width blobs,
/// and today's layers with BlobShape), packed or unpacked. Without options the network is worked out from the file
/// (configuration, input size from fc6, hidden units, classes); with options the file must match them. The model
/// gets the preprocessing the weights expect unless the options say otherwise: the scale and mean a data layer's
/// transform_param states, or else that of Caffe's VGG models (BGR, 0-255, minus the mean pixel 103.939, 116.779,
/// 123.68); so it is applied whenever images are fed, and stored with the weights when the model is saved.
/// Every problem with a file is a <see cref="WeightsFormatException"/>; the file is read in two passes, the first
/// locating every blob and checking every length against the bytes present, the second reading the values straight
/// into the model, so nothing is allocated that the file does not hold.
/// </summary>
public static class CaffeModelReader
{
    /// <summary>
    /// Builds the model the file holds and loads its weights. <paramref name="options"/>, when given, must describe
    /// the same network (the layers, input channels, input size, hidden units and classes); their other settings
    /// (dropout, preprocessing) are kept. <paramref name="backend"/> defaults to <see cref="Backends.Default"/>.
    /// </summary>
    public static VggModel Load(string path, VggOptions? options = null, IBackend? backend = null)
    {
        var configuration = options?.Validate();
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(file);
        var layout = ReadLayout(file, length, path);
        VggOptions effective;
        if (options is null)
        {
            effective = layout.ToOptions();
            configuration = Validate(effective, path);
        }
        else
        {
            effective = options.Preprocessing is null ? options with { Preprocessing = layout.DefaultPreprocessing } : options;
            Check(path, () => layout.CheckMatches(effective, configuration!));
        }
        // Every weight was matched with a blob whose values are in the file; this bounds the model by the file anyway.
        long needed = StateSize.Of(effective, configuration!);
        if (needed > length)
            throw new WeightsFormatException(path, $"the network needs {needed} bytes of weights but the file has only {length} bytes");

        var model = VggModel.Create(effective, backend);
        try
        {
            Copy(file, path, layout, model);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The options of the network the file holds, as <see cref="Load"/> without options works them out; no weights are read.</summary>
    public static VggOptions ReadOptions(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var options = ReadLayout(file, RandomAccess.GetLength(file), path).ToOptions();
        Validate(options, path);
        return options;
    }

    private static CaffeVggLayout ReadLayout(SafeFileHandle file, long length, string path)
    {
        if (length > int.MaxValue)
            throw new WeightsFormatException(path, $"the file has {length} bytes; a protobuf message, and so a .caffemodel, holds less than 2 GiB");
        List<CaffeLayer> layers;
        try
        {
            layers = CaffeNetParser.Parse(file, length);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidProtocolBufferException)
        {
            throw new WeightsFormatException(path, $"not a valid Caffe NetParameter: {e.Message}", e);
        }
        CaffeVggLayout? layout = null;
        Check(path, () => layout = CaffeVggLayout.Of(layers));
        return layout!;
    }

    private static VggConfiguration Validate(VggOptions options, string path)
    {
        try
        {
            return options.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new WeightsFormatException(path, $"the file's network is not one VggSharp can build: {e.Message}", e);
        }
    }

    private static void Check(string path, Action check)
    {
        try
        {
            check();
        }
        catch (InvalidDataException e)
        {
            throw new WeightsFormatException(path, e.Message, e);
        }
    }

    /// <summary>Reads each convolution's and fully-connected layer's blobs into the model's layers of the same role, in order.</summary>
    private static void Copy(SafeFileHandle file, string path, CaffeVggLayout layout, VggModel model)
    {
        var convolutions = model.Network.Layers.OfType<Conv2d>().Select(c => (c.Weight, c.Bias));
        var linear = model.Network.Layers.OfType<Linear>().Select(l => (l.Weight, l.Bias));
        var targets = convolutions.Concat(linear).ToList();
        var sources = layout.Convolutions.Concat(layout.FullyConnected).ToList();
        if (targets.Count != sources.Count)
            throw new InvalidOperationException($"The model has {targets.Count} weight layers for the file's {sources.Count}.");
        foreach (var ((weight, bias), layer) in targets.Zip(sources))
        {
            layer.Blobs[0].ReadInto(file, weight.Value.Span, path);
            layer.Blobs[1].ReadInto(file, bias.Value.Span, path);
        }
    }
}

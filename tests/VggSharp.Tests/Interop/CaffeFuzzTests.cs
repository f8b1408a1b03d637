using System.Runtime.InteropServices;
using VggSharp.Interop;
using VggSharp.Interop.Caffe;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>
/// Damaged and hostile .caffemodel files: every one loads or gives a <see cref="WeightsFormatException"/>, never
/// another exception, a hang or an allocation out of proportion to the file.
/// </summary>
public class CaffeFuzzTests
{
    /// <summary>Load, or the reason the file was refused; anything but <see cref="WeightsFormatException"/> fails the test.</summary>
    private static (VggModel? Model, WeightsFormatException? Error) TryLoad(string path, string what)
    {
        try
        {
            return (CaffeModelReader.Load(path), null);
        }
        catch (WeightsFormatException e)
        {
            return (null, e);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}");
            throw;
        }
    }

    public static TheoryData<string> SmallFiles => new() { "v1 packed", "unpacked" };

    /// <summary>A file of a few KB: 4, LRN, M, 8, M on 8x8 input, fc 8, 8, 3, in the original release's layout or today's with unpacked data.</summary>
    private static (byte[] Bytes, Dictionary<string, byte[]> Weights) SmallFile(string name)
    {
        var options = new VggOptions { Configuration = "4,LRN,M,8,M", InputSize = 8, Head = VggHead.Small, HiddenUnits = 8, Classes = 3 };
        using var model = SmallModels.Create(options, 17);
        var style = name == "v1 packed" ? new CaffeFileStyle() : new CaffeFileStyle(V1: false, Packed: false, LegacyShapes: false);
        return (CaffeFiles.From(model, style), SmallModels.Snapshot(model));
    }

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void EveryTruncationIsRefusedOrLosesNothing(string name)
    {
        using var directory = new TemporaryDirectory();
        var (valid, weights) = SmallFile(name);
        using var file = new RewrittenFile(directory.File("truncated.caffemodel"));
        Assert.InRange(valid.Length, 2_000, 6_000);
        int loaded = 0;

        for (int length = 0; length < valid.Length; length++)
        {
            file.Write(valid.AsSpan(0, length));
            var (model, _) = TryLoad(file.Path, $"length {length}");
            if (model is null) continue;
            // A cut between top-level fields is a valid shorter network; it may only lose layers without weights.
            using (model) SmallModels.AssertSame(weights, SmallModels.Snapshot(model));
            loaded++;
        }
        Assert.True(loaded <= 2, $"{loaded} truncations loaded");
    }

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void ChangedBytesLoadOrAreRefused(string name)
    {
        using var directory = new TemporaryDirectory();
        var (valid, _) = SmallFile(name);
        using var file = new RewrittenFile(directory.File("changed.caffemodel"));
        var random = new Random(name.Length);
        int loaded = 0, refused = 0;

        for (int trial = 0; trial < 1500; trial++)
        {
            byte[] bytes = (byte[])valid.Clone();
            for (int c = 1 + random.Next(3); c > 0; c--) bytes[random.Next(bytes.Length)] ^= (byte)(1 + random.Next(255));
            file.Write(bytes);
            var (model, _) = TryLoad(file.Path, $"trial {trial}");
            model?.Dispose();
            if (model is null) refused++;
            else loaded++;
        }
        // Changes to float data load; the others must be refused cleanly.
        Assert.True(loaded > 0 && refused > 0, $"{loaded} loaded, {refused} refused");
    }

    private static readonly CaffeFileStyle V1 = new();

    private static ProtoWriter Convolution(ProtoWriter weight, Func<ProtoWriter> bias) => CaffeFiles.Layer(V1, "conv1_1", "Convolution", [weight, bias()], null);

    private static ProtoWriter Net(params ProtoWriter[] layers)
    {
        var net = new ProtoWriter();
        foreach (var layer in layers) net.Message(2, layer);
        return net;
    }

    /// <summary>Hostile files by name, each with a phrase of the error it must give.</summary>
    private static readonly Dictionary<string, (Func<ProtoWriter> File, string Phrase)> HostileFiles = new()
    {
        // Lengths that claim far more than the file has, at each level.
        ["layer length"] = (() => new ProtoWriter().Header(2, int.MaxValue).Raw(new byte[16]), "truncated: field"),
        ["blob length"] = (() => Net(new ProtoWriter().String(4, "conv1_1").Varint(5, 4).Header(6, int.MaxValue).Raw(new byte[16])), "truncated: field"),
        ["data length"] = (() => Net(CaffeFiles.Layer(V1, "conv1_1", "Convolution", [new ProtoWriter().Header(5, 0x7FFFFFF0).Raw(new byte[64])], null)), "truncated: field"),
        ["negative length"] = (() => new ProtoWriter().Header(2, 0xFFFFFFFF).Raw(new byte[8]), "negative length"),
        // Shapes far larger than their data, or than a tensor.
        ["huge shape"] = (() => Net(Convolution(CaffeFiles.Blob(V1 with { LegacyShapes = false }, Four, [1L << 40, 1L << 40, 3, 3]), Bias)), "more values than one tensor can hold"),
        ["huge legacy shape"] = (() => Net(Convolution(CaffeFiles.Blob(V1, Four, [int.MaxValue, int.MaxValue, 3, 3]), Bias)), "more values than one tensor can hold"),
        ["shape without data"] = (() => Net(Convolution(CaffeFiles.Blob(V1, Four, [512, 384, 3, 3]), Bias)), "has 4 values instead of 1769472"),
        ["negative shape"] = (() => Net(Convolution(CaffeFiles.Blob(V1 with { LegacyShapes = false }, Four, [-4, -1, 1, 1]), Bias)), "negative dimension"),
        ["many axes"] = (() => Net(Convolution(CaffeFiles.Blob(V1 with { LegacyShapes = false }, Four, Enumerable.Repeat(1L, 40).ToArray()), Bias)), "more than 32 values"),
        // Counts of things a file can repeat cheaply.
        ["many layers"] = (() => Repeat(new ProtoWriter(), 5000, b => b.Bytes(2, [])), "more than 1024 layers"),
        ["many blobs"] = (() => Net(Repeat(new ProtoWriter().String(4, "conv1_1"), 20, b => b.Message(6, Bias()))), "more than 16 blobs"),
        ["scattered data"] = (() => Net(Convolution(Repeat(new ProtoWriter(), 70_000, b => b.Float(5, 1).Varint(1, 1)), Bias)), "more than 65536 pieces"),
        // Malformed wire data.
        ["zero tag"] = (() => new ProtoWriter().Raw([0, 0, 0]), "invalid tag"),
        ["long varint"] = (() => new ProtoWriter().Raw([0x18, .. Enumerable.Repeat((byte)0xFF, 11)]), "malformed varint"),
        ["wire type"] = (() => Net(new ProtoWriter().Varint(4, 7)), "wire type Varint"),
        ["nested groups"] = (() => new ProtoWriter().Raw([.. Enumerable.Repeat((byte)0x0B, 1000), .. Enumerable.Repeat((byte)0x0C, 1000)]), "levels of nesting"),
        // Valid protobuf that is not a network's weights.
        ["no layers"] = (() => new ProtoWriter().String(1, "empty"), "no layers"),
        ["double data"] = (() => Net(Convolution(new ProtoWriter().Varint(1, 1).Bytes(8, new byte[8]), Bias)), "double-precision"),
        ["V0 layer"] = (() => Net(new ProtoWriter().Bytes(1, [])), "V0 layer"),
        ["both formats"] = (() => Net(new ProtoWriter()).Message(100, new ProtoWriter()), "mixes V1 layers"),
    };

    public static TheoryData<string> Hostile => new(HostileFiles.Keys);

    private static readonly float[] Four = [1, 2, 3, 4];

    private static ProtoWriter Bias() => CaffeFiles.Blob(V1, [0f], [1]);

    private static ProtoWriter Repeat(ProtoWriter builder, int times, Action<ProtoWriter> add)
    {
        for (int i = 0; i < times; i++) add(builder);
        return builder;
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileFilesAreRefusedWithoutLargeAllocations(string name)
    {
        using var directory = new TemporaryDirectory();
        var (file, phrase) = HostileFiles[name];
        byte[] bytes = file().ToArray();
        string path = directory.File("hostile.caffemodel");
        File.WriteAllBytes(path, bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var (model, error) = TryLoad(path, name);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        model?.Dispose();

        Assert.NotNull(error);
        Assert.Contains(phrase, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("hostile.caffemodel", error.Message);
        // The readers hold at most a few copies of the small messages (the nesting depth) and their parsed fields.
        Assert.True(allocated < (1 << 20) + 16L * bytes.Length, $"{allocated} bytes allocated for a file of {bytes.Length}");
    }

    /// <summary>Networks that are valid protobuf but not a VGG network VggSharp builds, and the reason each is refused.</summary>
    public static TheoryData<string, string> NotVgg() => new()
    {
        { "kernel5", "has 5x5 kernels" },
        { "pad0", "pads by 0x0" },
        { "stride2", "has stride 2x2" },
        { "average", "is Average pooling" },
        { "lrn", "alpha 1, beta 0.75, k 1" },
        { "eltwise", "has type 'Eltwise'" },
        { "batchnorm", "batch normalisation in Caffe's form" },
        { "leaky", "is a leaky ReLU" },
        { "norelu", "conv1_2, Convolution) is not followed by a ReLU" },
        { "twofc", "has 2 fully-connected layers" },
        { "nobias", "has a weight but no bias" },
        { "fc6", "are not the 16 channels of a square feature map" },
        { "chain", "takes 3 channels but conv1_1 gives 8" },
        { "blobs", "(pool0, Pooling) carries weights (1 blobs), which a Pooling layer of VGG does not have" },
    };

    [Theory]
    [MemberData(nameof(NotVgg))]
    public void NetworksOtherThanVggAreRefusedNamingTheLayer(string change, string phrase)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("other.caffemodel");
        File.WriteAllBytes(path, Variant(change));

        var e = Assert.Throws<WeightsFormatException>(() => CaffeModelReader.Load(path));
        Assert.Contains(phrase, e.Message);
    }

    /// <summary>A small V2 network (8, 8, M, 16, M; fc 32, 32, 5 on 8x8 input) with one thing changed.</summary>
    private static byte[] Variant(string change)
    {
        var style = new CaffeFileStyle(V1: false, LegacyShapes: false);
        var net = new ProtoWriter();
        void Add(ProtoWriter layer) => net.Message(100, layer);
        void Parameterless(string name, string type, ProtoWriter? parameters = null) => Add(CaffeFiles.Layer(style, name, type, [], parameters));
        void Weighted(string name, string type, long[] weight, ProtoWriter? parameters, bool withBias = true)
        {
            var blobs = new List<ProtoWriter> { CaffeFiles.Blob(style, new float[weight.Aggregate(1L, (a, b) => a * b)], weight) };
            if (withBias) blobs.Add(CaffeFiles.Blob(style, new float[weight[0]], [weight[0]]));
            Add(CaffeFiles.Layer(style, name, type, blobs, parameters));
        }
        ProtoWriter Conv(int outputs, int kernel, int pad, int stride = 1) =>
            new ProtoWriter().Varint(1, (ulong)outputs).Varints(3, [pad], false).Varints(4, [kernel], false).Varints(6, [stride], false);
        ProtoWriter Pool(int method) => new ProtoWriter().Varint(1, (ulong)method).Varint(2, 2).Varint(3, 2);

        int kernel1 = change == "kernel5" ? 5 : 3;
        Weighted("conv1_1", "Convolution", [8, 3, kernel1, kernel1], Conv(8, kernel1, change == "pad0" ? 0 : kernel1 / 2, change == "stride2" ? 2 : 1));
        Parameterless("relu1_1", "ReLU", change == "leaky" ? new ProtoWriter().Float(1, 0.1f) : null);
        if (change == "lrn") Parameterless("norm1", "LRN", new ProtoWriter().Varint(1, 5));
        if (change == "eltwise") Parameterless("sum", "Eltwise");
        if (change == "batchnorm") Add(CaffeFiles.Layer(style, "bn1_1", "BatchNorm", [CaffeFiles.Blob(style, new float[8], [8]), CaffeFiles.Blob(style, new float[8], [8]), CaffeFiles.Blob(style, [1f], [1])], null));
        if (change == "blobs") Add(CaffeFiles.Layer(style, "pool0", "Pooling", [CaffeFiles.Blob(style, [1f], [1])], null));
        Weighted("conv1_2", "Convolution", [8, change == "chain" ? 3 : 8, 3, 3], null);
        if (change != "norelu") Parameterless("relu1_2", "ReLU");
        Parameterless("pool1", "Pooling", Pool(change == "average" ? 1 : 0));
        Weighted("conv2_1", "Convolution", [16, 8, 3, 3], null);
        Parameterless("relu2_1", "ReLU");
        Parameterless("pool2", "Pooling", Pool(0));
        Weighted("fc6", "InnerProduct", [32, change == "fc6" ? 48 : 64], null, withBias: change != "nobias");
        Parameterless("relu6", "ReLU");
        Weighted("fc7", "InnerProduct", [32, 32], null);
        Parameterless("relu7", "ReLU");
        if (change != "twofc") Weighted("fc8", "InnerProduct", [5, 32], null);
        return net.ToArray();
    }

    [Fact]
    public void TheVariantBaseLoads()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("base.caffemodel");
        File.WriteAllBytes(path, Variant("none"));
        using var model = CaffeModelReader.Load(path);
        Assert.Equal("8,8,M,16,M", model.Options.Configuration);
        Assert.True(MemoryMarshal.AsBytes(model.Network.Parameters.First().Value.Span).ToArray().All(b => b == 0));
    }
}

using VggSharp.Interop;
using VggSharp.Interop.Onnx;
using VggSharp.Models;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>
/// Damaged, hostile and non-VGG .onnx files: every one loads or gives a <see cref="WeightsFormatException"/>, never
/// another exception, a hang or an allocation out of proportion to the file; a graph that is not a VGG network is
/// refused naming the first node that does not fit.
/// </summary>
public class OnnxFuzzTests
{
    /// <summary>Load, or the reason the file was refused; anything but <see cref="WeightsFormatException"/> fails the test.</summary>
    private static (VggModel? Model, WeightsFormatException? Error) TryLoad(string path, string what)
    {
        try
        {
            return (WeightsFile.Load(path), null);
        }
        catch (WeightsFormatException e)
        {
            return (null, e);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            throw;
        }
    }

    public static TheoryData<string> SmallFiles => new() { "export", "unpacked" };

    /// <summary>The small files and a torch.onnx.export graph whose Reshape target is computed from Shape (make_onnx_fixtures.py).</summary>
    public static TheoryData<string> ChangedFiles => new() { "export", "unpacked", "tv_bnfold_opset17" };

    /// <summary>A file of a few KB: VggSharp's export of BN:4,M,8,M on 8x8, or <see cref="Variant"/>'s network with unpacked float_data.</summary>
    private static (byte[] Bytes, Dictionary<string, byte[]>? Weights) SmallFile(string name, TemporaryDirectory directory)
    {
        if (name == "unpacked") return (Variant("none", unpacked: true), null);
        if (name.StartsWith("tv_", StringComparison.Ordinal)) return (File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "onnx", name + ".onnx")), null);
        using var model = SmallModels.Create(SmallModels.Tiny, 17);
        string path = directory.File("export.onnx");
        OnnxExporter.Export(model, path);
        var weights = SmallModels.Snapshot(model).Where(e => !e.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToDictionary();
        return (File.ReadAllBytes(path), weights);
    }

    [Theory]
    [MemberData(nameof(SmallFiles))]
    public void EveryTruncationIsRefusedOrLosesNothing(string name)
    {
        using var directory = new TemporaryDirectory();
        var (valid, weights) = SmallFile(name, directory);
        using var file = new RewrittenFile(directory.File("truncated.onnx"));
        Assert.InRange(valid.Length, 2_000, 30_000);
        int loaded = 0;

        for (int length = 0; length < valid.Length; length++)
        {
            file.Write(valid.AsSpan(0, length));
            var (model, _) = TryLoad(file.Path, $"length {length}");
            if (model is null) continue;
            // A cut between top-level fields after the graph loses only metadata: refused as incomplete, or, before the
            // format version's entry, absent (the model then inferred from the graph).
            using (model)
            {
                if (weights is not null) SmallModels.AssertSame(weights, SmallModels.Snapshot(model).Where(e => weights.ContainsKey(e.Key)).ToDictionary());
            }
            loaded++;
        }
        Assert.True(loaded <= 16, $"{loaded} truncations loaded");
    }

    [Theory]
    [MemberData(nameof(ChangedFiles))]
    public void ChangedBytesLoadOrAreRefused(string name)
    {
        using var directory = new TemporaryDirectory();
        var (valid, _) = SmallFile(name, directory);
        using var file = new RewrittenFile(directory.File("changed.onnx"));
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

    private static ProtoWriter Model(ProtoWriter graph) => new ProtoWriter().Varint(1, 7).Message(8, new ProtoWriter().Varint(2, 13)).Message(7, graph);

    private static ProtoWriter Graph(params ProtoWriter[] initializers)
    {
        var graph = new ProtoWriter();
        foreach (var tensor in initializers) graph.Message(5, tensor);
        return graph;
    }

    private static ProtoWriter Repeat(ProtoWriter builder, int times, Action<ProtoWriter> add) => Numbered(builder, times, (b, _) => add(b));

    private static ProtoWriter Numbered(ProtoWriter builder, int times, Action<ProtoWriter, int> add)
    {
        for (int i = 0; i < times; i++) add(builder, i);
        return builder;
    }

    /// <summary>Hostile files by name, each with a phrase of the error it must give.</summary>
    private static readonly Dictionary<string, (Func<ProtoWriter> File, string Phrase)> HostileFiles = new()
    {
        // Lengths that claim far more than the file has, at each level.
        ["graph length"] = (() => new ProtoWriter().Header(7, int.MaxValue).Raw(new byte[16]), "truncated: field"),
        ["node length"] = (() => Model(new ProtoWriter().Header(1, int.MaxValue).Raw(new byte[16])), "truncated: field"),
        ["data length"] = (() => Model(new ProtoWriter().Message(5, new ProtoWriter().Varint(1, 4).Header(9, 0x7FFFFFF0).Raw(new byte[64]))), "truncated: field"),
        ["negative length"] = (() => new ProtoWriter().Header(7, 0xFFFFFFFF).Raw(new byte[8]), "negative length"),
        ["string length"] = (() => Model(new ProtoWriter().Message(1, new ProtoWriter().Header(4, 0x7FFFFFF0).Raw(new byte[8]))), "truncated"),
        // Shapes far larger than their data, or than a tensor.
        ["huge dims"] = (() => Model(Graph(OnnxFiles.Tensor("w", 1, [1L << 40, 1L << 40], [1f], false))), "more values than one tensor can hold"),
        ["dims without data"] = (() => Model(Graph(OnnxFiles.Tensor("w", 1, [512, 384, 3, 3], [1f, 2f], false))), "has 8 bytes of raw_data instead of 7077888"),
        ["negative dims"] = (() => Model(Graph(OnnxFiles.Tensor("w", 1, [-4, -1], [1f, 2f, 3f, 4f], false))), "negative dimension"),
        ["many dims"] = (() => Model(Graph(OnnxFiles.Tensor("w", 1, [.. Enumerable.Repeat(1L, 40)], [1f], false))), "more than 16 values"),
        ["many int64s"] = (() => Model(Graph(new ProtoWriter().Varint(2, 7).Varints(7, [.. Enumerable.Range(0, 100).Select(i => (long)i)], packed: true))), "more than 64 values"),
        // Counts of things a file can repeat cheaply.
        ["many nodes"] = (() => Model(Repeat(new ProtoWriter(), 5000, g => g.Bytes(1, []))), "more than 1024 nodes"),
        ["many attributes"] = (() => Model(new ProtoWriter().Message(1, Numbered(new ProtoWriter(), 40, (n, i) => n.Message(5, OnnxFiles.Int($"a{i}", 1))))), "more than 32 attributes"),
        ["same attribute twice"] = (() => Model(new ProtoWriter().Message(1, Repeat(new ProtoWriter(), 2, n => n.Message(5, OnnxFiles.Int("a", 1))))), "two attributes named 'a'"),
        ["many inputs"] = (() => Model(new ProtoWriter().Message(1, Repeat(new ProtoWriter(), 20, n => n.String(1, "x")))), "more than 16 inputs"),
        ["scattered data"] = (() => Model(Graph(Repeat(new ProtoWriter().Varint(2, 1), 70_000, t => t.Float(4, 1).Varint(2, 1)))), "more than 65536 pieces"),
        // Malformed wire data.
        ["zero tag"] = (() => new ProtoWriter().Raw([0, 0, 0]), "invalid tag"),
        ["long varint"] = (() => new ProtoWriter().Raw([0x08, .. Enumerable.Repeat((byte)0xFF, 11)]), "malformed varint"),
        ["wire type"] = (() => new ProtoWriter().Varint(2, 7), "wire type Varint"),
        ["nested groups"] = (() => new ProtoWriter().Raw([.. Enumerable.Repeat((byte)0x0B, 1000), .. Enumerable.Repeat((byte)0x0C, 1000)]), "wire type StartGroup"),
        // Valid protobuf that is not a network's weights.
        ["no graph"] = (() => new ProtoWriter().Varint(1, 7).String(2, "empty"), "no graph"),
        ["two graphs"] = (() => Model(new ProtoWriter()).Message(7, new ProtoWriter()), "two graphs"),
        ["external data"] = (() => Model(Graph(new ProtoWriter().Varint(1, 4).Varint(2, 1).String(8, "w").Varint(14, 1))), "external file"),
        ["raw and typed"] = (() => Model(Graph(OnnxFiles.Tensor("w", 1, [1], [1f], false).Float(4, 2f))), "both in raw_data and in a typed field"),
        ["segments"] = (() => Model(Graph(new ProtoWriter().Message(3, new ProtoWriter()))), "segments"),
        ["sparse"] = (() => Model(new ProtoWriter().Message(15, new ProtoWriter())), "sparse initializers"),
    };

    public static TheoryData<string> Hostile => new(HostileFiles.Keys);

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileFilesAreRefusedWithoutLargeAllocations(string name)
    {
        using var directory = new TemporaryDirectory();
        var (file, phrase) = HostileFiles[name];
        byte[] bytes = file().ToArray();
        string path = directory.File("hostile.onnx");
        File.WriteAllBytes(path, bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var (model, error) = TryLoad(path, name);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        model?.Dispose();

        Assert.NotNull(error);
        Assert.True(error.Message.Contains(phrase, StringComparison.OrdinalIgnoreCase), error.Message);
        Assert.Contains("hostile.onnx", error.Message);
        // The readers hold at most a few copies of the small messages (the nesting depth) and their parsed fields.
        Assert.True(allocated < (1 << 20) + 16L * bytes.Length, $"{allocated} bytes allocated for a file of {bytes.Length}");
    }

    /// <summary>Graphs that are valid ONNX but not a VGG network VggSharp builds, and the words each is refused with.</summary>
    public static TheoryData<string, string> NotVgg() => new()
    {
        { "kernel5", "node 0 ('c1', Conv) is a 5x5 convolution padded by 2" },
        { "stride2", "node 0 ('c1', Conv) has stride 2x2" },
        { "group", "node 0 ('c1', Conv) is a grouped convolution" },
        { "sigmoid", "node 1 ('r1', Sigmoid) comes where the Relu after a convolution belongs" },
        { "norelu", "node 3 ('p1', MaxPool) comes where the Relu after a convolution belongs" },
        { "branch", "node 4 ('sum', Add)" },
        { "average", "node 4 ('p1', AveragePool) is not after the last max pooling" },
        { "lrn", "node 2 ('n1', LRN) is LRN of size 3" },
        { "domain", "node 1 ('r1', com.example:Relu) is of operator domain 'com.example'" },
        { "chain", "node 2 ('c2', Conv) takes 3 channels but its input has 8" },
        { "twofc", "the graph has 2 fully-connected layers; VGG has three" },
        { "nobias", "node 9 ('fc6', Gemm) has no bias" },
        { "alpha", "node 9 ('fc6', Gemm) scales its product" },
        { "fc6", "node 9 ('fc6', Gemm) takes 48 inputs but the layer before gives 64" },
        { "reshape", "node 8 ('flat', Reshape) reshapes to [0, 16, -1]" },
        { "double", "node 0 ('c1', Conv) has a weight of type DOUBLE" },
        { "opset6", "the model uses operator set 6; VggSharp reads 7 to 23" },
        { "twoinputs", "the graph has 2 inputs besides its initializers" },
        { "output", "the graph's output is 'elsewhere'" },
        { "oddpool", "node 4 ('p1', MaxPool) pools 3x3 with stride 2x2" },
        { "somebn", "the graph normalises 1 of its 3 convolutions" },
    };

    [Theory]
    [MemberData(nameof(NotVgg))]
    public void GraphsOtherThanVggAreRefusedNamingTheNode(string change, string phrase)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("other.onnx");
        File.WriteAllBytes(path, Variant(change));

        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path));
        Assert.True(e.Message.Contains("not a VGG network VggSharp reads: " + phrase, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void ABatchNormEpsilonBelowTheModelsNeedsNonNegativeVariances()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("epsilon.onnx");
        File.WriteAllBytes(path, Variant("bnepsilon"));

        var e = Assert.Throws<WeightsFormatException>(() => WeightsFile.Load(path));
        Assert.True(e.Message.Contains("tensor 'v1' holds a variance that is negative with the model's batch-norm epsilon", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void TheVariantBaseLoads()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("base.onnx");
        foreach (bool unpacked in new[] { false, true })
        {
            File.WriteAllBytes(path, Variant("none", unpacked));
            using var model = WeightsFile.Load(path);
            Assert.Equal("8,8,M,16,M", model.Options.Configuration);
            Assert.Equal(8, model.Options.InputSize);
            Assert.Equal(0.1f * -3, model.Network.Parameters.First().Value.Span[0]);
        }
    }

    /// <summary>A small network (8, 8, M, 16, M on 8x8; fc 32, 32, 5) with one thing changed.</summary>
    internal static byte[] Variant(string change, bool unpacked = false)
    {
        var g = new OnnxFiles { UnpackedFloats = unpacked };
        g.Input("x", 1, 3, 8, 8);
        if (change == "twoinputs") g.Input("y", 1, 3, 8, 8);
        var conv = new[] { OnnxFiles.Ints("kernel_shape", 3, 3), OnnxFiles.Ints("pads", 1, 1, 1, 1) };
        int k1 = change == "kernel5" ? 5 : 3;
        var conv1 = new List<ProtoWriter> { OnnxFiles.Ints("kernel_shape", k1, k1), OnnxFiles.Ints("pads", k1 / 2, k1 / 2, k1 / 2, k1 / 2) };
        if (change == "stride2") conv1.Add(OnnxFiles.Ints("strides", 2, 2));
        if (change == "group") conv1.Add(OnnxFiles.Int("group", 2));
        if (change == "double") g.Initializer(new ProtoWriter().Varints(1, [8, 3, 3, 3], false).Varint(2, 11).String(8, "w1").Bytes(9, new byte[8 * 27 * 8]));
        else g.Weight("w1", 8, 3, k1, k1);
        g.Weight("b1", 8).Weight("w2", 8, change == "chain" ? 3 : 8, 3, 3).Weight("b2", 8).Weight("w3", 16, 8, 3, 3).Weight("b3", 16);
        g.Node("Conv", ["x", "w1", "b1"], ["c1"], [.. conv1]);
        // Variances 0.1·(i mod 7 - 3) include 0, which an epsilon below the model's would make negative.
        string Normalised(string conv, int n, int channels)
        {
            if (change != "bnepsilon") return conv;
            g.Weight($"s{n}", channels).Weight($"t{n}", channels).Weight($"m{n}", channels).Weight($"v{n}", channels);
            g.Node("BatchNormalization", [conv, $"s{n}", $"t{n}", $"m{n}", $"v{n}"], [$"bn{n}"], OnnxFiles.Float("epsilon", 1e-6f));
            return $"bn{n}";
        }
        g.Node(change == "sigmoid" ? "Sigmoid" : "Relu", change == "domain" ? "com.example" : "", [Normalised("c1", 1, 8)], ["r1"]);
        string last = "r1";
        if (change == "lrn")
        {
            g.Node("LRN", ["r1"], ["n1"], OnnxFiles.Int("size", 3));
            last = "n1";
        }
        g.Node("Conv", [last, "w2", "b2"], ["c2"], conv);
        last = Normalised("c2", 2, 8);
        if (change != "norelu")
        {
            g.Node("Relu", [last], ["r2"]);
            last = "r2";
        }
        if (change == "branch")
        {
            g.Node("Add", [last, "r1"], ["sum"]);
            last = "sum";
        }
        int poolKernel = change == "oddpool" ? 3 : 2;
        g.Node(change == "average" ? "AveragePool" : "MaxPool", [last], ["p1"], OnnxFiles.Ints("kernel_shape", poolKernel, poolKernel), OnnxFiles.Ints("strides", 2, 2));
        g.Node("Conv", ["p1", "w3", "b3"], ["c3"], conv);
        if (change == "somebn")
        {
            g.Weight("s3", 16).Weight("t3", 16).Weight("m3", 16).Weight("v3", 16);
            g.Node("BatchNormalization", ["c3", "s3", "t3", "m3", "v3"], ["bn3"]);
        }
        g.Node("Relu", [change == "somebn" ? "bn3" : Normalised("c3", 3, 16)], ["r3"]);
        g.Node("MaxPool", ["r3"], ["p2"], OnnxFiles.Ints("kernel_shape", 2, 2), OnnxFiles.Ints("strides", 2, 2));
        if (change == "reshape")
        {
            g.Int64s("shape", 0, 16, -1);
            g.Node("Reshape", ["p2", "shape"], ["flat"]);
        }
        else g.Node("Flatten", ["p2"], ["flat"]);
        if (change == "transB0") g.Weight("f6", 64, 32);
        else g.Weight("f6", 32, change == "fc6" ? 48 : 64);
        g.Weight("g6", 32).Weight("f7", 32, 32).Weight("g7", 32).Weight("f8", 5, 32).Weight("g8", 5);
        var gemm = OnnxFiles.Int("transB", 1);
        string[] fc6Inputs = change == "nobias" ? ["flat", "f6"] : ["flat", "f6", "g6"];
        if (change == "alpha") g.Node("Gemm", fc6Inputs, ["fc6"], gemm, OnnxFiles.Float("alpha", 2));
        else if (change == "transB0") g.Node("Gemm", fc6Inputs, ["fc6"]); // weights stored [inputs, outputs]
        else g.Node("Gemm", fc6Inputs, ["fc6"], gemm);
        g.Node("Relu", ["fc6"], ["r6"]);
        g.Node("Gemm", ["r6", "f7", "g7"], ["fc7"], gemm);
        string output = "fc7";
        if (change != "twofc")
        {
            g.Node("Relu", ["fc7"], ["r7"]);
            g.Node("Gemm", ["r7", "f8", "g8"], ["fc8"], gemm);
            output = "fc8";
        }
        return g.Model(change == "output" ? "elsewhere" : output, change == "opset6" ? 6 : 13);
    }
}

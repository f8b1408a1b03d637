using VggSharp.Data;
using VggSharp.Evaluation;
using VggSharp.Kernels;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;
using VggSharp.Tests.Data;
using VggSharp.Tests.Evaluation;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Tensors;

/// <summary>Tensors off the host (a fake device that keeps its bytes private) and networks run on such a device.</summary>
public class DeviceTensorTests
{
    private static Tensor OnFakeDevice(params float[] values)
    {
        var t = new Tensor(new FakeDeviceStorage(values.Length * sizeof(float)), new TensorShape(values.Length));
        t.CopyFrom(values);
        return t;
    }

    [Fact]
    public void DevicesReadAndPrintAsPyTorchWritesThem()
    {
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
        Assert.Equal(Device.Cuda(0), Device.Parse("cuda"));
        Assert.Equal(Device.Cuda(3), Device.Parse("cuda:3"));
        Assert.Equal("cuda:3", Device.Cuda(3).ToString());
        Assert.Equal("cpu", Device.Cpu.ToString());
        Assert.True(Device.Cpu.IsHost);
        Assert.False(Device.Cuda(0).IsHost);
        foreach (string bad in new[] { "gpu", "cuda:", "cuda:-1", "CPU", "cuda:x" })
            Assert.Contains("cpu, cuda or cuda:N", Assert.Throws<FormatException>(() => Device.Parse(bad)).Message);
    }

    [Fact]
    public void ViewsOfADeviceTensorCopyTheirOwnElementsBothWays()
    {
        using var device = new Tensor(new FakeDeviceStorage(24 * sizeof(float)), new TensorShape(4, 6));
        device.CopyFrom([.. Enumerable.Range(0, 24).Select(i => (float)i)]);
        var items = device.Items(1, 2);
        var reshaped = items.Reshaped(new TensorShape(3, 4));
        Assert.Equal(FakeDeviceStorage.FakeDevice, reshaped.Device);
        Assert.False(reshaped.IsOnHost);
        Assert.Equal(device.Pointer + 6 * sizeof(float), items.Pointer);
        Assert.Equal([.. Enumerable.Range(6, 12).Select(i => (float)i)], reshaped.ToArray());

        reshaped.CopyFrom(new float[12]);
        items.Items(1, 1).Clear();
        Assert.Equal([.. Enumerable.Range(0, 6).Select(i => (float)i), .. new float[12], .. Enumerable.Range(18, 6).Select(i => (float)i)], device.ToArray());
    }

    [Fact]
    public void TensorsCopyBetweenHostAndDeviceAndBetweenDevices()
    {
        using var host = Tensor.FromArray([1, 2, 3, 4, 5, 6], 3, 2);
        using var device = new Tensor(new FakeDeviceStorage(6 * sizeof(float)), new TensorShape(3, 2));
        using var other = new Tensor(new FakeDeviceStorage(6 * sizeof(float)), new TensorShape(3, 2));
        using var back = new Tensor(3, 2);

        device.CopyFrom(host);
        other.Items(1, 2).CopyFrom(device.Items(0, 2));
        back.CopyFrom(other);

        Assert.Equal([0, 0, 1, 2, 3, 4], back.ToArray());
        using var copy = device.ToHost();
        Assert.True(copy.IsOnHost);
        Assert.Equal(host.ToArray(), copy.ToArray());
        Assert.Throws<ArgumentException>(() => device.CopyFrom(new Tensor(2, 3)));
        Assert.Throws<ArgumentException>(() => device.CopyTo(new float[5]));
    }

    [Fact]
    public void ElementSpansOfADeviceTensorAreRefusedWithTheWayOut()
    {
        using var device = OnFakeDevice(1, 2, 3);
        foreach (var read in new Action[] { () => _ = device.Span, () => _ = device.Bytes, () => _ = device.Item(0), () => _ = device.Reference })
            Assert.Equal("This tensor lives on cuda:7; copy it to the host first (ToHost or CopyTo).", Assert.Throws<InvalidOperationException>(read).Message);
        var entry = new StateEntry("w", device, trainable: true);
        Assert.False(entry.IsOnHost);
        var bytes = new byte[12];
        entry.CopyTo(bytes);
        entry.CopyFrom(bytes);
        Assert.Equal(bytes, entry.HostBytes().ToArray());
        Assert.Equal([1f, 2f, 3f], device.ToArray());
    }

    [Fact]
    public void HostTensorsKeepTheirMemoryAlignedAndViewsTheirOffsets()
    {
        using var host = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => (float)i)], 3, 4);
        Assert.Equal(Device.Cpu, host.Device);
        Assert.Equal(0, host.Pointer % 64);
        var view = host.Items(2, 1);
        Assert.Equal(host.Pointer + 8 * sizeof(float), view.Pointer);
        Assert.Equal([8f, 9f, 10f, 11f], view.Span.ToArray());
        var values = new float[4];
        view.CopyTo(values);
        Assert.Equal([8f, 9f, 10f, 11f], values);
        host.Dispose();
        Assert.True(view.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => view.CopyTo(values));
    }

    private static VggModel Tiny(IBackend backend)
    {
        var model = VggModel.Create(new VggOptions { Configuration = "BN:8,M,16,M", InputSize = 8, Classes = 10, Head = VggHead.Small, HiddenUnits = 32 });
        model.Initialize(InitScheme.Kaiming, 3);
        model.MoveTo(backend);
        return model;
    }

    [Fact]
    public void ANetworkTrainsOnADeviceWithTheHostsBitsAndWithoutReadingItsElements()
    {
        using var host = Tiny(Backends.Fast);
        using var device = Tiny(new FakeDeviceBackend());
        Assert.All(device.State().Where(e => e.ElementType == StateElementType.Float32), e => Assert.False(e.IsOnHost));
        using var images = VggSharp.Benchmarking.ModelBenchmark.RandomImages(host.InputShape(6), 5);
        int[] labels = [0, 1, 2, 3, 4, 5];
        var totals = new List<float[]>();
        foreach (var model in new[] { host, device })
        {
            using var deviceImages = model.Network.Backend.Allocate(images.Shape);
            deviceImages.CopyFrom(images);
            using var pass = new TrainingPass(model);
            using var sgd = new SgdOptimizer(model.Network);
            using var sums = model.Network.Backend.Allocate(new TensorShape(2));
            for (int step = 0; step < 3; step++)
            {
                model.Network.ZeroGradients();
                // Two passes of a step, weighted by their shares, as the trainer runs them.
                pass.Run(deviceImages.Items(0, 2), labels.AsSpan(0, 2), sums, 9, step, share: 2 / 6f);
                pass.Run(deviceImages.Items(2, 4), labels.AsSpan(2, 4), sums, 9, step, share: 4 / 6f);
                sgd.Step(0.05f);
            }
            totals.Add(sums.ToArray());
        }

        Assert.Equal(totals[0], totals[1]);
        var expected = host.State().ToDictionary(e => e.Key, e => e.HostBytes().ToArray());
        foreach (var entry in device.State()) Assert.Equal(expected[entry.Key], entry.HostBytes().ToArray());

        device.MoveTo(Backends.Fast);
        Assert.All(device.State(), e => Assert.True(e.IsOnHost));
        Assert.Equal(Logits(host), Logits(device));
    }

    private static float[] Logits(VggModel model)
    {
        using var images = VggSharp.Benchmarking.ModelBenchmark.RandomImages(model.InputShape(2), 8);
        return model.Forward(images, ForwardContext.Inference).ToArray();
    }

    [Fact]
    public void TheEvaluatorGivesTheHostsResultsForAModelOnADevice()
    {
        using var host = Tiny(Backends.Fast);
        using var device = Tiny(new FakeDeviceBackend());
        var items = Enumerable.Range(0, 5).Select(i => ((DecodedImage?)ResamplerTests.Noise(10 + i, 9, 3, seed: i), i % 10)).ToList();
        var data = new SyntheticDataset([.. Enumerable.Range(0, 10).Select(i => $"c{i}")], items);
        foreach (var protocol in new[] { EvaluationProtocol.Center, EvaluationProtocol.Dense })
        {
            var options = new EvaluationOptions { Protocol = protocol, Scales = [8, 10], BatchSize = 3 };
            var expected = Evaluator.Evaluate([host], data, options);
            var actual = Evaluator.Evaluate([device], data, options);
            Assert.Equal(expected.Top1Error, actual.Top1Error);
            Assert.Equal(expected.Top5Error, actual.Top5Error);
            Assert.Equal(Evaluator.Predict([host], items[0].Item1!, options), Evaluator.Predict([device], items[0].Item1!, options));
        }
    }
}

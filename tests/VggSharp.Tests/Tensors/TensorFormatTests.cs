using VggSharp.Kernels;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Tensors;

/// <summary>Tensor formats: host tensors are float32 only, channels-last views keep their shape, conversions need a device's backend.</summary>
public class TensorFormatTests
{
    [Fact]
    public void FormatsKnowTheirSizesAndWhichShapesTheyFit()
    {
        Assert.Equal(4, TensorFormat.Float32.ElementSize);
        Assert.Equal(2, TensorFormat.BFloat16.ElementSize);
        Assert.True(TensorFormat.Float32.IsFloat32);
        Assert.False(TensorFormat.BFloat16ChannelsLast.IsFloat32);
        TensorFormat.BFloat16ChannelsLast.CheckFits(new TensorShape(2, 3, 4, 5));
        Assert.Throws<ArgumentException>(() => TensorFormat.BFloat16ChannelsLast.CheckFits(new TensorShape(2, 3)));
        Assert.Equal("bf16 channels-last", TensorFormat.BFloat16ChannelsLast.ToString());
    }

    [Fact]
    public void HostTensorsAreFloat32Only()
    {
        var error = Assert.Throws<ArgumentException>(() => new Tensor(new HostStorage(64), new TensorShape(2, 4), TensorFormat.BFloat16));
        Assert.Contains("float32", error.Message);
        Assert.Throws<NotSupportedException>(() => ((IBackend)Backends.Fast).Allocate(new TensorShape(2, 4), TensorFormat.BFloat16));
        Assert.Equal(TensorFormat.Float32, ((IBackend)Backends.Fast).ActivationFormat(new TensorShape(1, 2, 3, 4)));
    }

    [Fact]
    public void ChannelsLastTensorsSliceByItemsButCannotBeReshaped()
    {
        using var tensor = new Tensor(new FakeDeviceStorage(2 * 3 * 4 * 5 * 2), new TensorShape(2, 3, 4, 5), TensorFormat.BFloat16ChannelsLast);
        Assert.Throws<ArgumentException>(() => tensor.Reshaped(new TensorShape(2, 60)));
        using var item = tensor.Items(1, 1);
        Assert.Equal(TensorFormat.BFloat16ChannelsLast, item.Format);
        Assert.Equal(tensor.Pointer + 60 * 2, item.Pointer);
        // Reading it needs a conversion, which only its device's backend can do: the fake device has none.
        var error = Assert.Throws<InvalidOperationException>(() => tensor.ToArray());
        Assert.Contains("bf16 channels-last", error.Message);
        Assert.Throws<ArgumentException>(() => new Tensor(new FakeDeviceStorage(10), new TensorShape(2, 3), TensorFormat.BFloat16));
    }
}

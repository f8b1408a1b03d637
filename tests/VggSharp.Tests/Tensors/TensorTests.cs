using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Tensors;

public class TensorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(1000)]
    public unsafe void MemoryIsSixtyFourByteAlignedAndZeroed(int length)
    {
        using var t = new Tensor(length);
        fixed (float* p = t.Span) Assert.Equal(0L, (long)p % 64);
        Assert.All(t.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ShapeExposesNchwAndRejectsNonsense()
    {
        var s = new TensorShape(8, 64, 224, 224);
        Assert.Equal((8, 64, 224, 224), (s.N, s.C, s.H, s.W));
        Assert.Equal(64 * 224 * 224, s.ItemSize);
        Assert.Equal("[8, 64, 224, 224]", s.ToString());
        Assert.Equal(s, new TensorShape(8, 64, 224, 224));
        Assert.NotEqual(s, s.WithBatch(1));
        Assert.Throws<ArgumentException>(() => new TensorShape(2, 0, 3));
        Assert.Throws<ArgumentException>(() => new TensorShape(-1));
        Assert.Throws<ArgumentException>(() => new TensorShape(Array.Empty<int>()));
        var e = Assert.Throws<ArgumentException>(() => new TensorShape(65536, 65536));
        Assert.Contains("more than", e.Message);
        Assert.Throws<InvalidOperationException>(() => new TensorShape(3, 4).H);
    }

    [Fact]
    public void ReshapedViewsShareMemoryAndDieWithTheirOwner()
    {
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 1, 2, 3);
        var v = t.Reshaped(new TensorShape(3, 2));
        v.Span[5] = 60;
        Assert.Equal(60, t.Span[5]);
        Assert.Equal([4f, 5f, 60f], t.Reshaped(new TensorShape(2, 3)).Item(1).ToArray());
        Assert.Throws<ArgumentException>(() => t.Reshaped(new TensorShape(4)));
        t.Dispose();
        Assert.True(v.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => v.Span.Length);
        t.Dispose();
    }

    [Fact]
    public void CopyAndCloneCheckShapes()
    {
        using var a = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        using var b = a.Clone();
        b.Span[0] = 9;
        Assert.Equal(1, a.Span[0]);
        using var c = new Tensor(4);
        Assert.Throws<ArgumentException>(() => c.CopyFrom(a));
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([1, 2, 3], 2, 2));
    }
}

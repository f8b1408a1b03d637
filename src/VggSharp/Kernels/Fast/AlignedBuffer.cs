using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Fast;

/// <summary>A growable 64-byte aligned native float buffer, kept between calls so that warm kernels allocate nothing.</summary>
internal sealed unsafe class AlignedBuffer
{
    private float* _data;
    private int _capacity;

    /// <summary>A buffer of at least <paramref name="length"/> floats; its contents are unspecified.</summary>
    public float* Get(int length)
    {
        if (length > _capacity)
        {
            Free();
            _data = (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), 64);
            _capacity = length;
        }
        return _data;
    }

    private void Free()
    {
        if (_data != null) NativeMemory.AlignedFree(_data);
        _data = null;
        _capacity = 0;
    }

    ~AlignedBuffer() => Free();
}

using System.Runtime.Intrinsics;

namespace VggSharp.Kernels.Fast;

/// <summary>
/// An element-wise function of two inputs (unary operators ignore the second), at every vector width and for one
/// scalar, in the style of TensorPrimitives' operators. Operators are readonly structs so that the driver is
/// specialised per operator and inlined; fields carry per-call constants such as a batch-norm scale.
/// </summary>
internal interface IElementwiseOperator
{
    float Invoke(float x, float y);

    Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);

    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);

    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}

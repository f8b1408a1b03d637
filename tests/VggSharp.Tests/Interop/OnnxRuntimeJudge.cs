using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = VggSharp.Tensors.Tensor;
using Xunit;

namespace VggSharp.Tests.Interop;

/// <summary>
/// Runs an ONNX file in ONNX Runtime (Microsoft.ML.OnnxRuntime, a test-only dependency): the independent judge of
/// the files VggSharp writes and of the graphs it imports, in process, on one thread.
/// </summary>
public static class OnnxRuntimeJudge
{
    /// <summary>The graph's only output for <paramref name="input"/> fed to its only non-initializer input, and that output's shape.</summary>
    public static (float[] Output, int[] Shape) Run(string path, Tensor input)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        using var session = new InferenceSession(path, options);
        string name = session.InputMetadata.Keys.Single();
        var tensor = new DenseTensor<float>(input.Span.ToArray(), input.Shape.ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, tensor)]);
        var output = Assert.Single(results).AsTensor<float>();
        return (output.ToArray(), output.Dimensions.ToArray());
    }
}

using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;
using VggSharp.Tensors;

namespace VggSharp.Bench;

/// <summary>
/// The SGD update (momentum and weight decay) over the largest parameter of each network, the paper's fc6 weight
/// (102,760,448 floats, memory-bound: three arrays read, two written) and the main job's largest, fc7's.
/// </summary>
public class SgdBenchmarks : TensorBenchmark
{
    private Tensor _weights = null!, _gradients = null!, _velocity = null!;

    public static IEnumerable<Workload<ParameterShape>> Workloads() =>
        Workload<ParameterShape>.On(["sgd"], [Weight("vgg16", NetworkShapes.Paper(224), 0), Weight("main-job", NetworkShapes.MainJob, 1)]);

    [ParamsSource(nameof(Workloads))]
    public Workload<ParameterShape> Workload { get; set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        int length = Workload.Shape.Length;
        _weights = Random(1, length);
        _gradients = Random(2, length);
        _velocity = Zeros(length);
    }

    [Benchmark]
    public void Update() => Backends.Fast.SgdUpdate(_weights, _gradients, _velocity, 1e-3f, 0.9f, 5e-4f);

    private static ParameterShape Weight(string network, Models.VggOptions options, int layer)
    {
        var fc = NetworkShapes.ClassifierLayers(options, batch: 1)[layer];
        return new ParameterShape($"{network} {fc.Role}.weight", checked(fc.InFeatures * fc.OutFeatures));
    }
}

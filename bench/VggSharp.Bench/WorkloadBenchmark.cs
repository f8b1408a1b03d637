using BenchmarkDotNet.Attributes;
using VggSharp.Kernels;

namespace VggSharp.Bench;

/// <summary>
/// A kernel benchmark over <see cref="Workload{TShape}"/> parameters: a backend named in
/// <see cref="BenchmarkBackends"/> and a shape. The derived class lists them in a public static <c>Workloads()</c>
/// method and allocates its tensors for the shape in <see cref="Prepare"/>.
/// </summary>
public abstract class WorkloadBenchmark<TShape> : TensorBenchmark where TShape : notnull
{
    // The name of the derived class's static source; BenchmarkDotNet looks it up on the benchmark's own type.
    private const string WorkloadsSource = "Workloads";

    /// <summary>The backend and shape of this run.</summary>
    [ParamsSource(WorkloadsSource)]
    public Workload<TShape> Workload { get; set; } = null!;

    /// <summary>The backend <see cref="Workload"/> names.</summary>
    protected IBackend Backend { get; private set; } = null!;

    /// <summary>Resolves the backend, then lets the derived class allocate its tensors.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Backend = BenchmarkBackends.Resolve(Workload.Backend);
        Prepare(Workload.Shape);
    }

    /// <summary>Allocates (through <see cref="TensorBenchmark"/>'s helpers) what the benchmarks read and write for <paramref name="shape"/>.</summary>
    protected abstract void Prepare(TShape shape);
}

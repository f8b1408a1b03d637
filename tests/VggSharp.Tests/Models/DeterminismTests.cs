using VggSharp.Kernels.Fast;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Models;

[Collection(MeasuredAlone.Name)]
public class DeterminismTests
{
    /// <summary>Runs a few SGD steps of a small BN network with dropout on <paramref name="threads"/> threads; returns the final state.</summary>
    private static List<byte[]> Train(int threads, ulong seed)
    {
        using var model = VggModel.Create(new VggOptions
        {
            Configuration = "BN:8,M,16,LRN,M,16,M", InputSize = 24, Classes = 5, Head = VggHead.Small, HiddenUnits = 32,
        }, new FastBackend(threads), scheme: InitScheme.Kaiming, seed: seed);
        using var loss = new SoftmaxCrossEntropyLoss(model.Network.Backend);
        using var batch = new Tensor(model.InputShape(6));
        for (int step = 0; step < 3; step++)
        {
            using var images = TestData.Random(100 + step, batch.Shape.ToArray());
            batch.CopyFrom(images);
            model.Network.ZeroGradients();
            var context = new ForwardContext { Training = true, Seed = seed, Step = step, SampleIndices = [.. Enumerable.Range(6 * step, 6).Select(i => (long)i)] };
            loss.Compute(model.Forward(batch, context), [0, 1, 2, 3, 4, 0]);
            model.Backward(loss.Gradient);
            foreach (var p in model.Network.Parameters)
            {
                Span<float> v = p.Value.Span, g = p.Gradient.Span;
                for (int i = 0; i < v.Length; i++) v[i] -= 0.01f * g[i];
            }
        }
        return model.State().Select(e => e.Bytes.ToArray()).ToList();
    }

    [Fact]
    public void TheSameSeedGivesTheSameBitsWhateverTheThreadCount()
    {
        var one = Train(1, 7);
        Assert.Equal(one, Train(2, 7));
        Assert.Equal(one, Train(3, 7));
        Assert.NotEqual(one, Train(2, 8));
    }

    [Fact]
    public void AWarmTrainingStepAllocatesNoTensors()
    {
        using var model = VggModel.Create(new VggOptions { Configuration = "A", WidthMultiplier = 0.25, InputSize = 32, Classes = 10, Head = VggHead.Small }, scheme: InitScheme.Kaiming, seed: 1);
        using var loss = new SoftmaxCrossEntropyLoss(model.Network.Backend);
        using var batch = TestData.Random(1, model.InputShape(8).ToArray());
        int[] labels = [.. Enumerable.Range(0, 8)];
        void Step()
        {
            model.Network.ZeroGradients();
            loss.Compute(model.Forward(batch, new ForwardContext { Training = true }), labels);
            model.Backward(loss.Gradient);
        }
        Step();
        Step();
        long activationBytes = ModelSummary.Of(model).ActivationBytes * 8;
        // The counter covers every thread of the process, the test runner's too; the quietest of several windows
        // filters what the runner does meanwhile, while an allocation of the step itself shows in every window.
        long perStep = long.MaxValue;
        for (int window = 0; window < 4; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 5; i++) Step();
            perStep = Math.Min(perStep, (GC.GetTotalAllocatedBytes(precise: true) - before) / 5);
        }
        // Tensors live in native memory and kernels hand their work to the thread team as structs, so what is left is
        // bookkeeping outside the kernels (about 1.3 KB: layer output shapes, the context); it must stay tiny next to
        // the activations a careless step would reallocate.
        Assert.True(perStep < 4 * 1024 && perStep * 100 < activationBytes, $"{perStep} managed bytes per step; activations are {activationBytes} bytes");
    }
}

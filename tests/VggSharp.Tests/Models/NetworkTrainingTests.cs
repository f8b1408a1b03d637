using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tensors;
using Xunit;

namespace VggSharp.Tests.Models;

public class NetworkTrainingTests
{
    private static VggModel Tiny(string backend, ulong seed, string config = "BN:4,LRN,M,6,M", float dropout = 0.5f) =>
        VggModel.Create(new VggOptions
        {
            Configuration = config, InputSize = 8, InputChannels = 2, Classes = 3, Head = VggHead.Small, HiddenUnits = 10, Dropout = dropout,
        }, TestBackends.Create(backend), InitScheme.Glorot, seed);

    public static TheoryData<string, string> BackendsAndConfigurations()
    {
        var data = new TheoryData<string, string>();
        foreach (string backend in TestBackends.Names)
        foreach (string config in new[] { "BN:4,LRN,M,6,M", "4,M,6/1,M" })
            data.Add(backend, config);
        return data;
    }

    [Theory]
    [MemberData(nameof(BackendsAndConfigurations))]
    public void BackwardThroughTheWholeNetworkMatchesFiniteDifferences(string backend, string config)
    {
        using var model = Tiny(backend, seed: 3, config);
        // Non-zero biases keep every ReLU input off its kink at exactly 0, where finite differences are meaningless.
        foreach (var p in model.Network.Parameters.Where(p => p.Name == "bias"))
            for (int i = 0; i < p.Value.Length; i++) p.Value.Span[i] = 0.05f + 0.01f * (i % 7);
        using var loss = new SoftmaxCrossEntropyLoss(model.Network.Backend);
        using var pristine = TestData.Random(4, 3, 2, 8, 8);
        using var x = new Tensor(pristine.Shape);
        int[] labels = [0, 2, 1];
        var context = new ForwardContext { Training = true, Seed = 1, SampleIndices = [10, 11, 12] };
        double Loss()
        {
            x.CopyFrom(pristine);
            return loss.Compute(model.Forward(x, context), labels);
        }

        model.Network.ZeroGradients();
        Loss();
        model.Backward(loss.Gradient);
        var rng = new Random(5);
        var disagreements = new List<string>();
        int sampled = 0;
        foreach (var p in model.Network.Parameters)
        {
            for (int s = 0; s < 5; s++)
            {
                int i = rng.Next(p.Value.Length);
                float saved = p.Value.Span[i];
                double Perturbed(float delta)
                {
                    p.Value.Span[i] = saved + delta;
                    double l = Loss();
                    p.Value.Span[i] = saved;
                    return l;
                }
                double centre = Loss();
                // A max-pool switch or ReLU kink inside the step spoils one side or one step size; a correct
                // gradient still agrees with one of the one-sided or central differences.
                var numeric = new List<double>();
                foreach (float eps in new[] { 1e-3f, 1e-4f })
                {
                    double plus = Perturbed(eps), minus = Perturbed(-eps);
                    numeric.AddRange([(plus - minus) / (2 * eps), (plus - centre) / eps, (centre - minus) / eps]);
                }
                double analytic = p.Gradient.Span[i];
                double best = numeric.Min(n => Math.Abs(n - analytic) / Math.Max(Math.Abs(analytic), 3e-2));
                sampled++;
                if (best > 3e-2)
                    disagreements.Add($"{model.Network.Layers.First(l => l.Parameters.Contains(p)).Name}.{p.Name}[{i}]: numeric {string.Join(" / ", numeric.Select(n => n.ToString("G4")))}, analytic {analytic:G4}");
            }
        }
        // With batch norm every activation moves when an early weight does, so a few samples always straddle a
        // ReLU or max-pool kink; a wrong gradient disagrees almost everywhere.
        Assert.True(disagreements.Count * 10 <= sampled, $"{disagreements.Count} of {sampled} samples disagree:\n{string.Join("\n", disagreements)}");
    }

    [Theory]
    [MemberData(nameof(TestBackends.Names), MemberType = typeof(TestBackends))]
    public void PlainSgdLearnsASeparableProblem(string backend)
    {
        using var model = Tiny(backend, seed: 1, "8,M,8,M", dropout: 0f);
        using var loss = new SoftmaxCrossEntropyLoss(model.Network.Backend);
        // Class k lights up quadrant k of channel 0: a problem any working convnet solves in a few dozen steps.
        using var x = new Tensor(6, 2, 8, 8);
        int[] labels = [0, 1, 2, 0, 1, 2];
        var rng = new Random(2);
        for (int n = 0; n < 6; n++)
        {
            var item = x.Item(n);
            for (int i = 0; i < item.Length; i++) item[i] = (float)(rng.NextDouble() * 0.2);
            int k = labels[n];
            for (int yy = 0; yy < 4; yy++)
            for (int xx = 0; xx < 4; xx++)
                item[(yy + 4 * (k / 2)) * 8 + xx + 4 * (k % 2)] += 1f;
        }
        using var batch = new Tensor(x.Shape);
        float first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            batch.CopyFrom(x);
            model.Network.ZeroGradients();
            last = loss.Compute(model.Forward(batch, new ForwardContext { Training = true, Step = step }), labels);
            if (step == 0) first = last;
            model.Backward(loss.Gradient);
            foreach (var p in model.Network.Parameters)
            {
                Span<float> v = p.Value.Span, g = p.Gradient.Span;
                for (int i = 0; i < v.Length; i++) v[i] -= 0.1f * g[i];
            }
        }
        Assert.True(last < first * 0.2f, $"loss went from {first} to {last}");
    }
}

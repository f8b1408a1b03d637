using VggSharp.Kernels.Cuda;
using VggSharp.Layers;
using VggSharp.Models;
using VggSharp.Tests.Interop;
using VggSharp.Tests.Training;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Kernels.Cuda;

/// <summary>The trainer on a GPU: a run stopped and resumed there ends with the bits of an uninterrupted one.</summary>
[Collection(OnTheGpu.Name)]
public class CudaTrainingTests
{
    [CudaFact]
    public void ARunOnTheGpuStoppedAndResumedThereEndsWithTheBitsOfAnUninterruptedOne()
    {
        using var directory = new TemporaryDirectory();
        var gpu = CudaBackend.Create(0, CudaPrecision.Fp32, deterministic: true);
        var (train, validation) = (DeviceTrainingTests.Noise(40, 0), DeviceTrainingTests.Noise(9, 100));
        VggModel OnGpu()
        {
            var model = VggModel.Create(DeviceTrainingTests.TinyModel, gpu, InitScheme.Kaiming, seed: 2);
            Assert.All(model.State().Where(e => e.ElementType == StateElementType.Float32), e => Assert.False(e.IsOnHost, e.Key));
            return model;
        }

        TrainingResult straight;
        using (var model = OnGpu()) straight = Trainer.Train(model, train, validation, DeviceTrainingTests.Options(directory.File("straight")));
        var options = DeviceTrainingTests.Options(directory.File("interrupted"));
        using (var model = OnGpu())
        using (var cancel = new CancellationTokenSource())
        {
            Assert.ThrowsAny<OperationCanceledException>(() =>
                Trainer.Train(model, train, validation, options, DeviceTrainingTests.EveryStep(new CancelAfterSteps(cancel, 6)), cancel.Token));
        }
        var resumed = Trainer.Resume(Checkpoint.Load(options.OutputDirectory, gpu), train, validation);

        Assert.Equal(DeviceTrainingTests.Weights(straight.ModelPath), DeviceTrainingTests.Weights(resumed.ModelPath));
        Assert.Equal(straight.ValidationTop1Error, resumed.ValidationTop1Error);
    }
}

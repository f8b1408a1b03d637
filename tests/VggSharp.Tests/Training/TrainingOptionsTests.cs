using VggSharp.Models;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

public class TrainingOptionsTests
{
    private static readonly TrainingOptions Custom = new()
    {
        Configuration = "A", Width = 0.5, Head = VggHead.Paper, HiddenUnits = 96, Dropout = 0.25f, InputSize = 48, ScaleMin = 48, ScaleMax = 48,
    };

    [Fact]
    public void TheArchitectureGoesToTheModelAndBackWhileTheDataKeepsClassesChannelsAndPreprocessing()
    {
        var data = new VggOptions { Classes = 7, InputChannels = 1, Preprocessing = new Preprocessing(1f, [0.5f], [0.25f], Bgr: false) };
        var model = Custom.ApplyArchitectureTo(data);

        Assert.Equal(new VggOptions
        {
            Configuration = "A", Classes = 7, InputChannels = 1, InputSize = 48, WidthMultiplier = 0.5, Head = VggHead.Paper, HiddenUnits = 96,
            Dropout = 0.25f, Preprocessing = data.Preprocessing,
        }, model);
        Assert.Equal(Custom, new TrainingOptions { ScaleMin = 48, ScaleMax = 48 }.WithArchitectureOf(model));
    }
}

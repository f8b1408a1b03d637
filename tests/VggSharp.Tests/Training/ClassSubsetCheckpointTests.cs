using System.Text.Json;
using VggSharp;
using VggSharp.Data.Transforms;
using VggSharp.Training;
using Xunit;

namespace VggSharp.Tests.Training;

public class ClassSubsetCheckpointTests
{
    /// <summary>A run on some classes and N images of each reopens the same images when resumed.</summary>
    [Fact]
    public void AClassSubsetAndItsSplitSurviveTheCheckpoint()
    {
        var options = new TrainingOptions { Source = new TrainingSource { Classes = [5, 9, 6], PerClass = 3, Split = 2 } };
        string json = JsonSerializer.Serialize(CheckpointOptions.From(options, options.Source.Model), PersistedJson.Default.CheckpointOptions);
        var statistics = ChannelStatistics.FromMoments([72f], [4]);

        var source = PersistedJson.Read(json, PersistedJson.Default.CheckpointOptions, CheckpointOptions.Defaults)!.ToOptions(statistics).Source!;

        Assert.Equal([5, 9, 6], source.Classes!);
        Assert.Equal(3, source.PerClass);
        Assert.Equal(2, source.Split);
    }
}

using System.CommandLine;

namespace VggSharp.Cli.Options;

/// <summary>What a command's networks do: classify (the default), or localise (the paper's Appendix A).</summary>
internal enum TrainingTask
{
    /// <summary>Class scores.</summary>
    Classification,

    /// <summary>Bounding boxes.</summary>
    Localisation,
}

/// <summary>--task classification|localisation, shared by train, eval and predict.</summary>
internal static class TaskOption
{
    /// <summary>A new --task option (one per command).</summary>
    public static EnumOption<TrainingTask> Create() =>
        new("--task", "classification, or localisation: a box regressor (Appendix A) on images with PASCAL VOC .xml annotations beside them.", TrainingTask.Classification);
}

using System.Text.Json.Serialization;

namespace VggSharp.Training;

/// <summary>Why <see cref="LearningRateSchedule"/> ends training.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScheduleStop>))]
public enum ScheduleStop
{
    /// <summary>Training goes on.</summary>
    None,

    /// <summary>Validation accuracy stopped improving after the last allowed reduction.</summary>
    Plateau,

    /// <summary>The epoch limit was reached.</summary>
    EpochLimit,
}

namespace VggSharp.Experiments;

/// <summary>How a study's configurations B to E start (A and A-LRN always start from random weights).</summary>
public enum StudyInit
{
    /// <summary>The paper's: the first four convolutions and the three fully-connected layers of the trained A of the same seed, the rest random (<see cref="Models.WarmStart"/>).</summary>
    WarmStart,

    /// <summary>Glorot's random initialisation, which the paper mentions as training deep nets without pre-training.</summary>
    Glorot,
}

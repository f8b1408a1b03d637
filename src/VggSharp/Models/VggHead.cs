namespace VggSharp.Models;

/// <summary>The fully-connected part of the network.</summary>
public enum VggHead
{
    /// <summary>The paper's FC-4096, FC-4096, FC-classes, with dropout 0.5 after the first two.</summary>
    Paper,

    /// <summary>The same structure with 512 hidden units: for small images and small data sets.</summary>
    Small,
}

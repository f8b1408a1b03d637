namespace VggSharp.Models;

/// <summary>How the weights of a new network are drawn.</summary>
public enum InitScheme
{
    /// <summary>The paper's: weights from N(0, 0.01²), biases zero.</summary>
    Paper,

    /// <summary>Glorot and Bengio (2010) uniform: U(±sqrt(6 / (fan_in + fan_out))), biases zero; the paper notes it trains deep nets without pre-training.</summary>
    Glorot,

    /// <summary>torchvision's: convolutions Kaiming normal with fan-out for ReLU, fully-connected layers N(0, 0.01²), biases zero.</summary>
    Kaiming,
}

namespace VggSharp.Interop;

/// <summary>The weights file formats VggSharp knows, as <see cref="WeightsFile.Detect"/> tells them apart.</summary>
public enum WeightsFormat
{
    /// <summary>safetensors (.safetensors): VggSharp's own format, read and written.</summary>
    Safetensors,

    /// <summary>A PyTorch state_dict from torch.save (.pth, .pt): the zip format or the legacy one; read.</summary>
    PyTorch,

    /// <summary>A Caffe model (.caffemodel), told by its extension: a protobuf has no magic bytes.</summary>
    Caffe,

    /// <summary>ONNX (.onnx), told by its extension: a VGG graph, read and written.</summary>
    Onnx,
}

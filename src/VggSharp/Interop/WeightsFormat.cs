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

    /// <summary>A Keras weights file (.h5, HDF5), such as keras.applications' VGG16 and VGG19 downloads; read.</summary>
    Keras,

    /// <summary>A MatConvNet model (.mat, MAT-file version 5), such as the VGG authors' imagenet-vgg-verydeep-16.mat; read.</summary>
    MatConvNet,
}

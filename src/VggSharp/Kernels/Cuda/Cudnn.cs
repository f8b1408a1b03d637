using System.Runtime.InteropServices;

namespace VggSharp.Kernels.Cuda;

/// <summary>
/// The cuDNN 9 legacy-API calls the backend uses (cudnn_graph.h, cudnn_ops.h, cudnn_cnn.h). Descriptors and the handle
/// are <see cref="nint"/>; alpha and beta scaling factors point to host floats (float data). Every call returns a
/// cudnnStatus_t, which <see cref="Check"/> turns into a <see cref="CudaException"/> with cuDNN's last error message.
/// </summary>
internal static unsafe partial class Cudnn
{
    public const int Success = 0;
    public const int DataFloat = 0, DataBFloat16 = 9;
    public const int TensorNchw = 0, TensorNhwc = 1;
    public const int CrossCorrelation = 1;
    public const int DefaultMath = 0, TensorOpMath = 1, TensorOpMathAllowConversion = 2, FmaMath = 3;
    public const int Deterministic = 1;
    public const int BatchNormSpatial = 1;
    public const int SoftmaxAccurate = 1, SoftmaxModeInstance = 0;

    /// <summary>cuDNN rejects batch-norm epsilons below CUDNN_BN_MIN_EPSILON in some versions; 1e-5 is PyTorch's default.</summary>
    public const double MinimumBatchNormEpsilon = 1e-5;

    /// <summary>Throws a <see cref="CudaException"/> naming <paramref name="call"/> unless <paramref name="status"/> is CUDNN_STATUS_SUCCESS.</summary>
    public static void Check(int status, string call)
    {
        if (status == Success) return;
        string meaning = Marshal.PtrToStringUTF8(GetErrorString(status)) ?? "unknown cudnnStatus_t";
        byte* last = stackalloc byte[1024];
        last[0] = 0;
        GetLastErrorString(last, 1024);
        string detail = Marshal.PtrToStringUTF8((nint)last) ?? "";
        throw new CudaException(call, status, detail.Length > 0 ? $"{meaning}: {detail.ReplaceLineEndings(" ")}" : meaning);
    }

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnGetErrorString")]
    public static partial nint GetErrorString(int status);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnGetLastErrorString")]
    public static partial void GetLastErrorString(byte* message, nuint maxSize);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnCreate")]
    public static partial int Create(nint* handle);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnSetStream")]
    public static partial int SetStream(nint handle, nint stream);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnCreateTensorDescriptor")]
    public static partial int CreateTensorDescriptor(nint* descriptor);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnSetTensor4dDescriptor")]
    public static partial int SetTensor4dDescriptor(nint descriptor, int format, int dataType, int n, int c, int h, int w);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnCreateFilterDescriptor")]
    public static partial int CreateFilterDescriptor(nint* descriptor);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnSetFilter4dDescriptor")]
    public static partial int SetFilter4dDescriptor(nint descriptor, int dataType, int format, int k, int c, int h, int w);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnCreateConvolutionDescriptor")]
    public static partial int CreateConvolutionDescriptor(nint* descriptor);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnSetConvolution2dDescriptor")]
    public static partial int SetConvolution2dDescriptor(nint descriptor, int padH, int padW, int strideH, int strideW,
        int dilationH, int dilationW, int mode, int computeType);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnSetConvolutionMathType")]
    public static partial int SetConvolutionMathType(nint descriptor, int mathType);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnFindConvolutionForwardAlgorithmEx")]
    public static partial int FindConvolutionForwardAlgorithmEx(nint handle, nint xDesc, nint x, nint wDesc, nint w, nint convDesc,
        nint yDesc, nint y, int requested, int* returned, ConvolutionAlgorithmPerformance* results, nint workspace, nuint workspaceBytes);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnFindConvolutionBackwardDataAlgorithmEx")]
    public static partial int FindConvolutionBackwardDataAlgorithmEx(nint handle, nint wDesc, nint w, nint dyDesc, nint dy, nint convDesc,
        nint dxDesc, nint dx, int requested, int* returned, ConvolutionAlgorithmPerformance* results, nint workspace, nuint workspaceBytes);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnFindConvolutionBackwardFilterAlgorithmEx")]
    public static partial int FindConvolutionBackwardFilterAlgorithmEx(nint handle, nint xDesc, nint x, nint dyDesc, nint dy, nint convDesc,
        nint dwDesc, nint dw, int requested, int* returned, ConvolutionAlgorithmPerformance* results, nint workspace, nuint workspaceBytes);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnGetConvolutionForwardAlgorithm_v7")]
    public static partial int GetConvolutionForwardAlgorithm(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc, int requested,
        int* returned, ConvolutionAlgorithmPerformance* results);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnGetConvolutionBackwardDataAlgorithm_v7")]
    public static partial int GetConvolutionBackwardDataAlgorithm(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc, int requested,
        int* returned, ConvolutionAlgorithmPerformance* results);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnGetConvolutionBackwardFilterAlgorithm_v7")]
    public static partial int GetConvolutionBackwardFilterAlgorithm(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc, int requested,
        int* returned, ConvolutionAlgorithmPerformance* results);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnConvolutionForward")]
    public static partial int ConvolutionForward(nint handle, float* alpha, nint xDesc, nint x, nint wDesc, nint w, nint convDesc,
        int algorithm, nint workspace, nuint workspaceBytes, float* beta, nint yDesc, nint y);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnConvolutionBackwardData")]
    public static partial int ConvolutionBackwardData(nint handle, float* alpha, nint wDesc, nint w, nint dyDesc, nint dy, nint convDesc,
        int algorithm, nint workspace, nuint workspaceBytes, float* beta, nint dxDesc, nint dx);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnConvolutionBackwardFilter")]
    public static partial int ConvolutionBackwardFilter(nint handle, float* alpha, nint xDesc, nint x, nint dyDesc, nint dy, nint convDesc,
        int algorithm, nint workspace, nuint workspaceBytes, float* beta, nint dwDesc, nint dw);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnConvolutionBackwardBias")]
    public static partial int ConvolutionBackwardBias(nint handle, float* alpha, nint dyDesc, nint dy, float* beta, nint dbDesc, nint db);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnAddTensor")]
    public static partial int AddTensor(nint handle, float* alpha, nint aDesc, nint a, float* beta, nint cDesc, nint c);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnBatchNormalizationForwardTraining")]
    public static partial int BatchNormalizationForwardTraining(nint handle, int mode, float* alpha, float* beta, nint xDesc, nint x,
        nint yDesc, nint y, nint scaleBiasMeanVarDesc, nint scale, nint bias, double exponentialAverageFactor,
        nint runningMean, nint runningVariance, double epsilon, nint saveMean, nint saveInverseVariance);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnBatchNormalizationForwardInference")]
    public static partial int BatchNormalizationForwardInference(nint handle, int mode, float* alpha, float* beta, nint xDesc, nint x,
        nint yDesc, nint y, nint scaleBiasMeanVarDesc, nint scale, nint bias, nint estimatedMean, nint estimatedVariance, double epsilon);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnBatchNormalizationBackward")]
    public static partial int BatchNormalizationBackward(nint handle, int mode, float* alphaDataDiff, float* betaDataDiff,
        float* alphaParamDiff, float* betaParamDiff, nint xDesc, nint x, nint dyDesc, nint dy, nint dxDesc, nint dx,
        nint scaleBiasDiffDesc, nint scale, nint scaleDiff, nint biasDiff, double epsilon, nint savedMean, nint savedInverseVariance);

    [LibraryImport(CudaLibraryNames.Dnn, EntryPoint = "cudnnSoftmaxForward")]
    public static partial int SoftmaxForward(nint handle, int algorithm, int mode, float* alpha, nint xDesc, nint x, float* beta, nint yDesc, nint y);
}

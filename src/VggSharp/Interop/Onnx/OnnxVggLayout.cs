using System.Globalization;
using VggSharp.Kernels;
using VggSharp.Layers;

namespace VggSharp.Interop.Onnx;

/// <summary>
/// Works out whether an ONNX graph is a VGG network, walking its data path from the graph's input to its output: the
/// convolutional part (Conv 3x3 padded by 1 or 1x1, each followed by an optional BatchNormalization and a Relu,
/// MaxPool 2x2 with stride 2, LRN with Krizhevsky's parameters before a pooling, as in A-LRN), then optionally the
/// average pooling torch.onnx.export lowers torchvision's AdaptiveAvgPool2d to (AveragePool with kernel equal to
/// stride, or GlobalAveragePool), a Flatten or a Reshape to [batch, features] (its target shape constant or computed
/// from Shape by <see cref="OnnxShapeArithmetic"/>), and three fully-connected layers (Gemm, or MatMul then Add; in
/// VggSharp's fully-convolutional exports, Conv without padding) with a Relu after the first two, optionally ending in
/// Softmax. Dropout and Identity pass their input through. The first node that does not fit is named in an
/// <see cref="InvalidDataException"/>. The result is the model's tensors under torchvision's keys, numbered as
/// torchvision's make_layers numbers its modules, so <see cref="ConfigurationInference"/> works out the configuration
/// as it does for a state_dict, and the input size the graph implies.
/// </summary>
internal sealed class OnnxVggLayout
{
    /// <summary>The operator set versions read: 7 (the ONNX Model Zoo's VGG) to 23.</summary>
    public const int MinOpset = 7, MaxOpset = 23;

    /// <summary>The most an average pooling folded into fc6 may shrink the feature map's side by (fc6 then grows by its square).</summary>
    private const int MaxFoldRatio = 16;

    private readonly OnnxModelProto _model;
    private readonly Func<OnnxTensor, long[]> _readInt64;
    private readonly Dictionary<string, OnnxTensor> _constants;
    private readonly Dictionary<string, DataShape> _data = new(StringComparer.Ordinal);
    private readonly OnnxShapeArithmetic _arithmetic;
    private readonly List<OnnxWeight> _weights = [];

    private string _current;
    private int _featureIndex, _linearCount, _pools, _channels, _convolutions, _batchNorms;
    private Stage _stage = Stage.Features;
    private string _last = ""; // the kind of the last layer on the data path: Conv, BatchNormalization, Relu, LRN, MaxPool, Linear
    private OnnxNode? _pendingMatMul;
    private (long Rows, long Columns, OnnxTensor Weight)? _matMul;
    private int? _averagePoolKernel; // 0 for GlobalAveragePool
    private bool _denseHead, _denseHint;
    private int? _fc6Map; // the map side fc6's weights cover

    private enum Stage { Features, Pooled, Flat, Head, Done }

    /// <summary>A data tensor's shape past the batch: channels and side of a feature map, or a vector's length (Side null, Flat).</summary>
    private sealed record DataShape(int Channels, int? Side, bool Flat);

    private OnnxVggLayout(OnnxModelProto model, Func<OnnxTensor, long[]> readInt64)
    {
        _model = model;
        _readInt64 = readInt64;
        _constants = new Dictionary<string, OnnxTensor>(model.Initializers, StringComparer.Ordinal);
        _arithmetic = new OnnxShapeArithmetic(model.Opset ?? MinOpset);
        _current = "";
    }

    /// <summary>The model's tensors by torchvision key, in the graph's order.</summary>
    public IReadOnlyList<OnnxWeight> Weights => _weights;

    /// <summary>The input channels the first convolution takes.</summary>
    public int InputChannels { get; private set; }

    /// <summary>The input size the graph implies: its input's fixed side, or the feature map fc6 covers times 2 per pooling.</summary>
    public int InputSize { get; private set; }

    /// <summary>How many more values fc6 has once the graph's average pooling is folded into it (<see cref="AdaptivePoolFolding"/>).</summary>
    public long FoldedFc6Growth { get; private set; }

    /// <summary>Whether the classifier ends in Softmax (VggSharp's model gives the logits before it).</summary>
    public bool EndsInSoftmax { get; private set; }

    /// <summary>
    /// The layout of <paramref name="model"/>; <paramref name="readInt64"/> reads an int64 tensor's values for shape
    /// arithmetic. <paramref name="fullyConvolutional"/> (VggSharp's metadata says so) makes the convolutions after the
    /// last pooling the classifier even where they are 1x1 (a 1x1 feature map).
    /// </summary>
    public static OnnxVggLayout Of(OnnxModelProto model, Func<OnnxTensor, long[]> readInt64, bool fullyConvolutional = false)
    {
        var layout = new OnnxVggLayout(model, readInt64) { _denseHint = fullyConvolutional };
        layout.Walk();
        return layout;
    }

    private void Walk()
    {
        if (_model.Opset is not long opset) throw new InvalidDataException("the model imports no version of ONNX's default operator set");
        if (opset is < MinOpset or > MaxOpset) throw new InvalidDataException($"the model uses operator set {opset}; VggSharp reads {MinOpset} to {MaxOpset}");
        var inputs = _model.Inputs.Where(i => !_constants.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1) throw new InvalidDataException($"the graph has {inputs.Count} inputs besides its initializers; a VGG network has one, the image");
        if (_model.Outputs.Count != 1) throw new InvalidDataException($"the graph has {_model.Outputs.Count} outputs; a VGG network has one, the class scores");
        var input = inputs[0];
        if (input.Dims is { } dims && dims.Count != 4) throw new InvalidDataException($"the graph's input '{input.Name}' has {dims.Count} dimensions; VGG takes images, [batch, channels, height, width]");
        if (input.Dims?[2] != input.Dims?[3]) throw new InvalidDataException($"the graph's input is {input.Dims![2]}x{input.Dims[3]}; VggSharp's networks take square images");
        int? side = input.Dims?[2] is long s ? Checked(s, "the graph's input side") : null;
        int? channels = input.Dims?[1] is long c ? Checked(c, "the graph's input channels") : null;
        _current = input.Name;
        _data[_current] = new DataShape(channels ?? 0, side, false);
        foreach (var node in _model.Nodes)
        {
            try
            {
                Visit(node);
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith("node ", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{node} {e.Message}", e);
            }
        }
        Finish(side);
    }

    private void Visit(OnnxNode node)
    {
        if (node.Domain is not ("" or "ai.onnx")) throw new InvalidDataException($"{node} is of operator domain '{node.Domain}', not ONNX's own");
        var dataInputs = node.Inputs.Where(_data.ContainsKey).ToList();
        if (dataInputs.Count == 0)
        {
            Auxiliary(node);
            return;
        }
        if (node.OpType == "Shape")
        {
            var shape = _data[dataInputs[0]];
            long? channels = shape.Channels == 0 ? null : shape.Channels;
            List<long?> entries = shape.Flat ? [null, channels] : [null, channels, shape.Side, shape.Side];
            if (node.Attributes.ContainsKey("start") || node.Attributes.ContainsKey("end")) throw new InvalidDataException($"{node} takes part of a shape");
            _arithmetic.Set(Single(node), new OnnxShapeArithmetic.Value(entries, false));
            return;
        }
        if (dataInputs.Count > 1 || dataInputs[0] != _current)
            throw new InvalidDataException($"{node} takes '{dataInputs[^1]}'{(dataInputs[^1] == _current ? " twice" : ", an earlier output")}: VGG's layers form one chain, without branches");
        if (_stage == Stage.Done) throw new InvalidDataException($"{node} follows the Softmax that ends the classifier");
        if (_pendingMatMul is not null && node.OpType != "Add")
            throw new InvalidDataException($"{node} follows {_pendingMatMul}, which must be followed by the Add of its bias");
        if (_last is "Conv" && _stage == Stage.Features && node.OpType is not ("BatchNormalization" or "Relu" or "Dropout" or "Identity"))
            throw new InvalidDataException($"{node} comes where the Relu after a convolution belongs");
        if (_last is "BatchNormalization" && node.OpType is not ("Relu" or "Dropout" or "Identity"))
            throw new InvalidDataException($"{node} comes where the Relu after a batch normalisation belongs");
        if (_last is "LRN" && node.OpType is not ("MaxPool" or "Dropout" or "Identity"))
            throw new InvalidDataException($"{node} follows an LRN; VGG's (A-LRN) is followed by max pooling");
        switch (node.OpType)
        {
            case "Conv": Convolution(node); break;
            case "BatchNormalization": BatchNormalization(node); break;
            case "Relu": Relu(node); break;
            case "LRN": Lrn(node); break;
            case "MaxPool": MaxPool(node); break;
            case "AveragePool" or "GlobalAveragePool": AveragePool(node); break;
            case "Flatten" or "Reshape": Flatten(node); break;
            case "Gemm": Gemm(node); break;
            case "MatMul": MatMul(node); break;
            case "Add" when _pendingMatMul is not null: Bias(node); break;
            case "Softmax": Softmax(node); break;
            case "Dropout" or "Identity": Pass(node, _data[_current]); break;
            default:
                throw new InvalidDataException($"{node} is not part of a VGG network (its layers are Conv, BatchNormalization, Relu, LRN, MaxPool, AveragePool, Flatten or Reshape, Gemm or MatMul and Add, Dropout, Softmax)");
        }
    }

    /// <summary>A node off the data path: constants, aliases of them, and shape arithmetic.</summary>
    private void Auxiliary(OnnxNode node)
    {
        string output = Single(node);
        switch (node.OpType)
        {
            case "Constant":
                if (node.Attributes.TryGetValue("value", out var value) && value.T is { } tensor)
                {
                    _constants[output] = tensor;
                    if (tensor.DataType == OnnxTensor.Int64) _arithmetic.Set(output, OnnxShapeArithmetic.Of(tensor, _readInt64(tensor)));
                }
                else if (node.Attributes.TryGetValue("value_int", out var scalar)) _arithmetic.Set(output, new OnnxShapeArithmetic.Value([scalar.I], true));
                else if (node.Attributes.TryGetValue("value_ints", out var vector)) _arithmetic.Set(output, new OnnxShapeArithmetic.Value([.. vector.Ints.Select(v => (long?)v)], false));
                else throw new InvalidDataException($"{node} holds no tensor or integers");
                break;
            case "Identity" when _constants.TryGetValue(node.Input(0), out var aliased):
                _constants[output] = aliased;
                if (_arithmetic.Find(node.Input(0)) is { } known) _arithmetic.Set(output, known);
                break;
            case var op when OnnxShapeArithmetic.Operators.Contains(op) || op == "Identity":
                foreach (string name in node.Inputs.Where(n => n.Length > 0 && _arithmetic.Find(n) is null && _constants.TryGetValue(n, out var t) && t.DataType == OnnxTensor.Int64))
                    _arithmetic.Set(name, OnnxShapeArithmetic.Of(_constants[name], _readInt64(_constants[name])));
                if (op == "Identity")
                {
                    _arithmetic.Set(output, _arithmetic.Find(node.Input(0)) ?? throw new InvalidDataException($"{node} passes on '{node.Input(0)}', which the graph does not define"));
                    break;
                }
                _arithmetic.Evaluate(node);
                break;
            default:
                throw new InvalidDataException($"{node} does not take the image's data path and is neither a constant nor shape arithmetic");
        }
    }

    private void Convolution(OnnxNode node)
    {
        var weight = Constant(node, 1, "weight");
        if (weight.Dims.Count != 4 || weight.Dims[2] != weight.Dims[3]) throw new InvalidDataException($"has weights of shape {weight.ShapeText}; VGG's convolutions are square, [outputs, inputs, k, k]");
        int outputs = Checked(weight.Dims[0], "outputs"), inputs = Checked(weight.Dims[1], "inputs"), k = Checked(weight.Dims[2], "kernel size");
        var bias = Bias(node, 2, outputs);
        if (node.Int("group", 1) != 1) throw new InvalidDataException("is a grouped convolution");
        if (node.Ints("dilations") is { } d && d.Any(v => v != 1)) throw new InvalidDataException("is a dilated convolution");
        if (node.Ints("strides") is { } st && st.Any(v => v != 1)) throw new InvalidDataException($"has stride {string.Join("x", st)}; VGG's convolutions have stride 1");
        if (node.Ints("kernel_shape") is { } ks && ks.Any(v => v != k)) throw new InvalidDataException($"states kernel {string.Join("x", ks)} but its weights are {k}x{k}");
        if (node.String("auto_pad", "NOTSET") is not ("NOTSET" or "")) throw new InvalidDataException($"pads by auto_pad {node.String("auto_pad", "")}; VggSharp reads explicit pads");
        var pads = node.Ints("pads") ?? [0, 0, 0, 0];
        if (pads.Count != 4 || pads.Distinct().Count() != 1) throw new InvalidDataException($"pads by [{string.Join(", ", pads)}]; VGG pads every side alike");
        int channels = _data[_current].Channels;
        if (channels != 0 && inputs != channels) throw new InvalidDataException($"takes {inputs} channels but its input has {channels}");

        bool head = _stage != Stage.Features || (_last == "MaxPool" && pads[0] == 0 && (k > 1 || _denseHint));
        if (!head)
        {
            if (k is not (1 or 3) || pads[0] != k / 2) throw new InvalidDataException($"is a {k}x{k} convolution padded by {pads[0]}; VGG's are 3x3 padded by 1 (or 1x1 unpadded, in configuration C)");
            if (_last is not ("" or "Relu" or "MaxPool")) throw new InvalidDataException("does not follow a ReLU or a pooling");
            if (_featureIndex == 0) InputChannels = inputs;
            Add($"features.{_featureIndex}.weight", weight, [outputs, inputs, k, k]);
            Add($"features.{_featureIndex}.bias", bias, [outputs]);
            _featureIndex++;
            _convolutions++;
            _channels = outputs;
            _last = "Conv";
            Pass(node, new DataShape(outputs, _data[_current].Side, false));
            return;
        }
        // VggSharp's fully-convolutional form: fc6 a convolution over the whole last feature map, fc7 and fc8 1x1.
        if (pads[0] != 0) throw new InvalidDataException("is a padded convolution in the classifier");
        if (_stage == Stage.Features)
        {
            EndFeatures();
            _denseHead = true;
            var side = _data[_current].Side;
            if (side is int s && s != k) throw new InvalidDataException($"is a {k}x{k} convolution over a {s}x{s} feature map; as VGG's fc6 it covers the whole map");
            _fc6Map = k;
            _stage = Stage.Head;
        }
        else if (!_denseHead || k != 1 || _linearCount is not (1 or 2)) throw new InvalidDataException($"is a {k}x{k} convolution in the classifier; VggSharp's fully-convolutional fc7 and fc8 are 1x1");
        else if (_last != "Relu") throw new InvalidDataException("does not follow the ReLU of the layer before");
        Linear(weight, bias, outputs, (long)inputs * k * k, transposed: false);
        Pass(node, new DataShape(outputs, 1, false));
    }

    private void BatchNormalization(OnnxNode node)
    {
        if (_last != "Conv" || _stage != Stage.Features) throw new InvalidDataException("does not follow a convolution; VGG's -BN variants normalise each convolution's output");
        if (node.Int("spatial", 1) != 1) throw new InvalidDataException("normalises each activation (spatial 0), not each channel");
        if (node.Int("training_mode", 0) != 0) throw new InvalidDataException("normalises in training mode");
        string[] names = ["weight", "bias", "running_mean", "running_var"];
        float epsilon = node.Float("epsilon", 1e-5f);
        if (!(epsilon >= 0 && float.IsFinite(epsilon))) throw new InvalidDataException($"has epsilon {epsilon}");
        for (int i = 0; i < names.Length; i++)
        {
            var tensor = Constant(node, i + 1, names[i].Replace('_', ' '));
            if (tensor.Count != _channels) throw new InvalidDataException($"has a {names[i].Replace('_', ' ')} of {tensor.Count} values for {_channels} channels");
            // var + epsilon is what counts: the model's epsilon is fixed, so the difference moves to the variance.
            float shift = names[i] == "running_var" ? epsilon - BatchNorm2d.DefaultEpsilon : 0;
            _weights.Add(new OnnxWeight(new WeightsTensor($"features.{_featureIndex}.{names[i]}", SafetensorsDataType.F32, [_channels]), tensor, VarianceShift: shift));
        }
        _featureIndex++;
        _batchNorms++;
        _last = "BatchNormalization";
        Pass(node, _data[_current]);
    }

    private void Relu(OnnxNode node)
    {
        if (_stage == Stage.Features)
        {
            if (_last is not ("Conv" or "BatchNormalization")) throw new InvalidDataException("follows no convolution; VGG has a ReLU after each convolution and after fc6 and fc7");
            _featureIndex++;
        }
        else if (_last != "Linear" || _linearCount is not (1 or 2)) throw new InvalidDataException("is not after fc6 or fc7; VGG's classifier has a ReLU after fc6 and fc7 only");
        _last = "Relu";
        Pass(node, _data[_current]);
    }

    private void Lrn(OnnxNode node)
    {
        var ours = LrnParameters.Krizhevsky;
        long size = node.Int("size", 0);
        float alpha = node.Float("alpha", 1e-4f), beta = node.Float("beta", 0.75f), bias = node.Float("bias", 1f);
        static bool Near(float a, float b) => Math.Abs(a - b) <= 1e-6f * Math.Abs(b);
        if (size != ours.Size || !Near(alpha, ours.Alpha) || !Near(beta, ours.Beta) || !Near(bias, ours.K))
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"is LRN of size {size}, alpha {alpha}, beta {beta}, bias {bias}; VggSharp's (A-LRN) has size {ours.Size}, alpha {ours.Alpha}, beta {ours.Beta}, bias {ours.K}"));
        if (_stage != Stage.Features || _last != "Relu") throw new InvalidDataException("is not after a convolution's ReLU, where A-LRN has it");
        _featureIndex++;
        _last = "LRN";
        Pass(node, _data[_current]);
    }

    private void MaxPool(OnnxNode node)
    {
        if (_stage != Stage.Features || _last is not ("Relu" or "LRN")) throw new InvalidDataException("is not after a convolution's ReLU");
        var kernel = node.Ints("kernel_shape") ?? [];
        if (kernel.Count != 2 || kernel.Any(v => v != 2) || node.Ints("strides") is not { Count: 2 } strides || strides.Any(v => v != 2))
            throw new InvalidDataException($"pools {string.Join("x", kernel)} with stride {string.Join("x", node.Ints("strides") ?? [1])}; VGG's max pooling is 2x2 with stride 2");
        CheckUnpadded(node);
        if (node.Ints("dilations") is { } d && d.Any(v => v != 1)) throw new InvalidDataException("is a dilated pooling");
        var side = _data[_current].Side;
        if (node.Int("ceil_mode", 0) != 0 && (side is not int sd || sd % 2 != 0))
            throw new InvalidDataException("rounds its output size up (ceil_mode) on a map of odd or unknown size; VGG's pooling rounds down");
        _featureIndex++;
        _pools++;
        _last = "MaxPool";
        Pass(node, new DataShape(_channels, side / 2, false));
    }

    /// <summary>torchvision's AdaptiveAvgPool2d as torch.onnx.export lowers it: AveragePool with kernel equal to stride, or GlobalAveragePool.</summary>
    private void AveragePool(OnnxNode node)
    {
        if (_stage != Stage.Features || _last != "MaxPool") throw new InvalidDataException("is not after the last max pooling, where torchvision's adaptive average pooling is");
        EndFeatures();
        var side = _data[_current].Side;
        int kernel = 0;
        if (node.OpType == "AveragePool")
        {
            var ks = node.Ints("kernel_shape") ?? [];
            var strides = node.Ints("strides") ?? [1, 1];
            if (ks.Count != 2 || ks[0] != ks[1] || ks[0] < 1 || !strides.SequenceEqual(ks))
                throw new InvalidDataException($"pools {string.Join("x", ks)} with stride {string.Join("x", strides)}; as adaptive pooling lowered, kernel and stride are equal");
            CheckUnpadded(node);
            if (node.Int("ceil_mode", 0) != 0) throw new InvalidDataException("rounds its output size up (ceil_mode)");
            kernel = Checked(ks[0], "kernel size");
            if (side is int s && s % kernel != 0) throw new InvalidDataException($"pools a {s}x{s} map by {kernel}x{kernel}, which does not divide it");
        }
        else if (side is null)
            throw new InvalidDataException("averages a feature map whose size the graph leaves open; VggSharp needs the input size the weights are for (export with a fixed input size)");
        _averagePoolKernel = kernel;
        _stage = Stage.Pooled;
        Pass(node, new DataShape(_channels, kernel == 0 ? 1 : side / kernel, false));
    }

    private void Flatten(OnnxNode node)
    {
        if (_stage == Stage.Features)
        {
            EndFeatures();
        }
        else if (_stage != Stage.Pooled) throw new InvalidDataException("is not between the convolutional part and the classifier");
        var shape = _data[_current];
        long? features = shape.Side is int s ? (long)shape.Channels * s * s : null;
        if (node.OpType == "Flatten")
        {
            if (node.Int("axis", 1) != 1) throw new InvalidDataException($"flattens from axis {node.Int("axis", 1)}; VGG flattens each image, from axis 1");
        }
        else
        {
            var target = _arithmetic.Find(node.Input(1))
                ?? (_constants.TryGetValue(node.Input(1), out var t) && t.DataType == OnnxTensor.Int64 ? OnnxShapeArithmetic.Of(t, _readInt64(t)) : null)
                ?? throw new InvalidDataException($"reshapes to '{node.Input(1)}', which is neither a constant nor computed from shapes");
            var batch = _model.Inputs.FirstOrDefault(i => !_constants.ContainsKey(i.Name))?.Dims?[0];
            bool zeroCopies = node.Int("allowzero", 0) == 0;
            var e = target.Entries;
            bool batchFirst = e.Count == 2 && (e[0] is null || e[0] == -1 && e[1] != -1 || e[0] == 0 && zeroCopies || e[0] is long b && b == batch && b > 0);
            bool featuresSecond = e.Count == 2 && (e[1] == -1 && e[0] != -1 || e[1] is long f && f > 0 && (features is null || f == features));
            if (target.Scalar || !batchFirst || !featuresSecond)
                throw new InvalidDataException($"reshapes to [{string.Join(", ", e.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? "batch"))}]; VGG flattens each image, to [batch, features]");
            if (features is null && e[1] is long f2 && f2 > 0) features = f2;
        }
        _stage = Stage.Flat;
        Pass(node, new DataShape(features is long n ? Checked(n, "features") : 0, shape.Side, true));
    }

    private void Gemm(OnnxNode node)
    {
        if (node.Int("transA", 0) != 0) throw new InvalidDataException("transposes its input");
        if (node.Float("alpha", 1) != 1 || node.Float("beta", 1) != 1) throw new InvalidDataException("scales its product or bias (alpha, beta); a fully-connected layer does not");
        var weight = Constant(node, 1, "weight");
        if (weight.Dims.Count != 2) throw new InvalidDataException($"has weights of shape {weight.ShapeText}, not a matrix");
        bool transposed = node.Int("transB", 0) == 0;
        long outputs = weight.Dims[transposed ? 1 : 0], inputs = weight.Dims[transposed ? 0 : 1];
        var bias = Bias(node, 2, outputs);
        BeginLinear(node, inputs);
        Linear(weight, bias, outputs, inputs, transposed);
        Pass(node, new DataShape(Checked(outputs, "outputs"), null, true));
    }

    private void MatMul(OnnxNode node)
    {
        var weight = Constant(node, 1, "weight");
        if (weight.Dims.Count != 2) throw new InvalidDataException($"has weights of shape {weight.ShapeText}, not a matrix");
        BeginLinear(node, weight.Dims[0]);
        _pendingMatMul = node;
        _matMul = (weight.Dims[0], weight.Dims[1], weight);
        Pass(node, _data[_current]);
    }

    /// <summary>The Add after a MatMul: the bias, on either side.</summary>
    private void Bias(OnnxNode node)
    {
        var (inputs, outputs, weight) = _matMul!.Value;
        int side = node.Input(0) == _current ? 1 : 0;
        var bias = Bias(node, side, outputs);
        _pendingMatMul = null;
        Linear(weight, bias, outputs, inputs, transposed: true);
        Pass(node, new DataShape(Checked(outputs, "outputs"), null, true));
    }

    private void Softmax(OnnxNode node)
    {
        long axis = node.Int("axis", (_model.Opset ?? MinOpset) >= 13 ? -1 : 1);
        if (_last != "Linear" || _linearCount != 3 || !(axis == 1 || axis == -1 && !_denseHead))
            throw new InvalidDataException("is not over the class scores after fc8");
        EndsInSoftmax = true;
        _stage = Stage.Done;
        Pass(node, _data[_current]);
    }

    /// <summary>Checks that a fully-connected layer may start here and that its inputs fit what precedes it.</summary>
    private void BeginLinear(OnnxNode node, long inputs)
    {
        if (_stage == Stage.Features || _stage == Stage.Pooled) throw new InvalidDataException("is a fully-connected layer before the feature map is flattened");
        if (_stage == Stage.Head && (_last != "Relu" || _linearCount is not (1 or 2)))
            throw new InvalidDataException(_linearCount >= 3 ? "is a fourth fully-connected layer; VGG has three" : "does not follow the ReLU of the layer before");
        var shape = _data[_current];
        if (_linearCount > 0 || shape.Channels != 0)
        {
            if (shape.Channels != inputs) throw new InvalidDataException($"takes {inputs} inputs but the layer before gives {shape.Channels}");
            if (_linearCount > 0) return;
        }
        // fc6: its inputs are C·p·p for the last convolution's C channels and some side p.
        long area = inputs % _channels == 0 ? inputs / _channels : 0;
        long p = (long)Math.Round(Math.Sqrt(area));
        if (area == 0 || p * p != area) throw new InvalidDataException($"takes {inputs} inputs, which is not C·p·p for the last convolution's C = {_channels} channels");
        _fc6Map = Checked(p, "fc6's map");
        _stage = Stage.Head;
    }

    private void Linear(OnnxTensor weight, OnnxTensor bias, long outputs, long inputs, bool transposed)
    {
        int index = _linearCount * 3; // torchvision's classifier: Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear
        Add($"classifier.{index}.weight", weight, [outputs, inputs], transposed);
        Add($"classifier.{index}.bias", bias, [outputs]);
        _linearCount++;
        _last = "Linear";
    }

    private void EndFeatures()
    {
        if (_last != "MaxPool") throw new InvalidDataException("follows a convolutional part that does not end with max pooling, as VGG's does");
    }

    private void Finish(int? inputSide)
    {
        if (_pendingMatMul is not null) throw new InvalidDataException($"{_pendingMatMul} is not followed by the Add of its bias");
        if (_convolutions == 0) throw new InvalidDataException("the graph has no convolutions");
        if (_batchNorms > 0 && _batchNorms != _convolutions)
            throw new InvalidDataException($"the graph normalises {_batchNorms} of its {_convolutions} convolutions; VGG's -BN variants normalise every one");
        if (_linearCount != 3) throw new InvalidDataException($"the graph has {_linearCount} fully-connected layers; VGG has three");
        if (_last != "Linear" && !EndsInSoftmax) throw new InvalidDataException("the graph's classifier does not end with fc8");
        if (_current != _model.Outputs[0].Name) throw new InvalidDataException($"the graph's output is '{_model.Outputs[0].Name}', not the class scores ('{_current}')");

        // The side of the last feature map: what fc6 covers, times the average pooling's kernel.
        int covered = _fc6Map!.Value;
        int? map = _averagePoolKernel switch
        {
            null => covered,
            0 => null, // GlobalAveragePool: any map; the graph's input fixes it (checked on the way)
            int k => covered * k,
        };
        if (_averagePoolKernel == 0 && covered != 1) throw new InvalidDataException($"fc6 covers a {covered}x{covered} map after global average pooling, which gives 1x1");
        int mapFromInput = inputSide is int s ? s >> _pools : 0;
        if (inputSide is not null && map is int m && m != mapFromInput)
            throw new InvalidDataException($"fc6 covers a {m}x{m} feature map but the graph's {inputSide}x{inputSide} input gives {mapFromInput}x{mapFromInput}");
        InputSize = inputSide ?? Checked((long)map!.Value << Math.Min(_pools, 31), "an input side");
        int side = InputSize >> _pools;
        if (_averagePoolKernel is not null && side != covered)
        {
            // Folding the pooling makes fc6 (side / covered)² times larger: bounded, as a file's sizes must be.
            if (side > covered * MaxFoldRatio) throw new InvalidDataException($"the graph averages a {side}x{side} feature map down to {covered}x{covered}; VggSharp folds such pooling into fc6 for at most {MaxFoldRatio} times fc6's side");
            var fc6 = _weights.First(w => w.Info.Name == "classifier.0.weight").Info;
            FoldedFc6Growth = fc6.ElementCount / ((long)covered * covered) * ((long)side * side - (long)covered * covered);
        }
        int c = _data[_model.Inputs.First(i => !_constants.ContainsKey(i.Name)).Name].Channels;
        if (c != 0 && c != InputChannels)
            throw new InvalidDataException($"the graph's input has {c} channels but its first convolution takes {InputChannels}");
    }

    private void Pass(OnnxNode node, DataShape shape)
    {
        _current = Single(node, allowMore: node.OpType is "Dropout" or "MaxPool" or "BatchNormalization");
        if (_data.ContainsKey(_current) || _constants.ContainsKey(_current)) throw new InvalidDataException($"{node} writes '{_current}', which the graph already defines");
        _data[_current] = shape;
    }

    /// <summary>The node's output; further outputs (Dropout's mask, MaxPool's indices) are allowed where <paramref name="allowMore"/>, and must go unused.</summary>
    private static string Single(OnnxNode node, bool allowMore = false)
    {
        if (node.Outputs.Count == 0 || node.Outputs[0].Length == 0 || node.Outputs.Count > 1 && !allowMore)
            throw new InvalidDataException($"{node} has {node.Outputs.Count} outputs where one is expected");
        return node.Outputs[0];
    }

    private OnnxTensor Constant(OnnxNode node, int input, string what)
    {
        string name = node.Input(input);
        if (!_constants.TryGetValue(name, out var tensor)) throw new InvalidDataException($"takes its {what} from '{name}', which is not an initializer or a constant");
        if (tensor.DataType != OnnxTensor.Float) throw new InvalidDataException($"has a {what} of type {tensor.TypeName}; VggSharp reads FLOAT weights");
        return tensor;
    }

    private OnnxTensor Bias(OnnxNode node, int input, long outputs)
    {
        if (node.Input(input).Length == 0) throw new InvalidDataException("has no bias; VGG's layers have one");
        var bias = Constant(node, input, "bias");
        if (bias.Count != outputs || bias.Dims.Count(d => d != 1) > 1) throw new InvalidDataException($"has a bias of shape {bias.ShapeText} for {outputs} outputs");
        return bias;
    }

    private void Add(string key, OnnxTensor source, long[] shape, bool transposed = false) =>
        _weights.Add(new OnnxWeight(new WeightsTensor(key, SafetensorsDataType.F32, shape), source, transposed));

    private static void CheckUnpadded(OnnxNode node)
    {
        if (node.Ints("pads") is { } pads && pads.Any(p => p != 0)) throw new InvalidDataException($"pads by [{string.Join(", ", pads)}]");
        if (node.String("auto_pad", "NOTSET") is not ("NOTSET" or "VALID" or "")) throw new InvalidDataException($"pads by auto_pad {node.String("auto_pad", "")}");
    }

    private static int Checked(long value, string what) =>
        value is > 0 and <= int.MaxValue ? (int)value : throw new InvalidDataException($"has {what} {value}");
}

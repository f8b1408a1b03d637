// Usage: dotnet run -c Release --project bench/SvmChoice -- TRAIN_DIR TEST_DIR N
// TRAIN_DIR and TEST_DIR are folders written by "vggsharp features" (features.npy, labels.npy). The first N training
// descriptors of each class train liblinear's hinge-loss SVMs (VggSharp's OneVsRestSvm) at C = 0.1, 1, 10 and ML.NET's
// OneVersusAll(LinearSvm) at 1, 10 and 50 iterations; each prints its test accuracy and training time.
// The README's numbers (N = 100 and 1000) came from these descriptors:
//   vggsharp train --class-subset 0-4 --per-class 200 --config A --width 0.125 --hidden 64 --epochs 2 --val-limit 500 --out base
//   vggsharp features -w base/model.safetensors --data fashion-mnist --class-subset 5-9 --scales 32 --no-flip --out train
//   vggsharp features -w base/model.safetensors --data fashion-mnist --set val --class-subset 5-9 --scales 32 --no-flip --out test
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using VggSharp.Interop.Numpy;
using VggSharp.Transfer;

if (args.Length != 3) throw new ArgumentException("usage: SvmChoice TRAIN_DIR TEST_DIR N");
var (trainX, trainY, dimension) = Load(args[0]);
var (testX, testY, _) = Load(args[1]);
int perClass = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
int classes = trainY.Max() + 1;
int[] rows = [.. Enumerable.Range(0, trainY.Length).GroupBy(i => trainY[i]).SelectMany(g => g.Take(perClass)).Order()];
Console.WriteLine($"{rows.Length} training and {testY.Length} test descriptors of {dimension} values, {classes} classes");
var train = new FeatureSet(trainX, dimension, trainY, [.. trainY.Select(_ => "")], [.. Enumerable.Range(0, classes).Select(c => $"{c}")]);
double Accuracy(Func<int, int> predict) => Enumerable.Range(0, testY.Length).Count(i => predict(i) == testY[i]) / (double)testY.Length;

foreach (double c in new[] { 0.1, 1, 10 })
{
    var stopwatch = Stopwatch.StartNew();
    var svm = OneVsRestSvm.Train(train, rows, c);
    double seconds = stopwatch.Elapsed.TotalSeconds;
    double accuracy = Accuracy(i => OneVsRestSvm.ArgMax(svm.Scores(testX.AsSpan(i * dimension, dimension))));
    Console.WriteLine($"liblinear, hinge loss, C = {c}: accuracy {accuracy:P2}, training {seconds:0.000} s");
}

var ml = new MLContext(seed: 1);
var schema = SchemaDefinition.Create(typeof(Row));
schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
IDataView View(float[] x, int[] y, IEnumerable<int> indices) => ml.Data.LoadFromEnumerable(
    indices.Select(i => new Row { Features = x.AsSpan(i * dimension, dimension).ToArray(), Label = (uint)y[i] + 1 }), schema);
var trainView = View(trainX, trainY, rows);
var testView = View(testX, testY, Enumerable.Range(0, testY.Length));
foreach (int iterations in new[] { 1, 10, 50 })
{
    var stopwatch = Stopwatch.StartNew();
    var model = ml.Transforms.Conversion.MapValueToKey(nameof(Row.Label))
        .Append(ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.LinearSvm(numberOfIterations: iterations)))
        .Fit(trainView);
    double seconds = stopwatch.Elapsed.TotalSeconds;
    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(testView));
    Console.WriteLine($"ML.NET OneVersusAll(LinearSvm), {iterations} iterations: accuracy {metrics.MicroAccuracy:P2}, training {seconds:0.000} s");
}

static (float[] X, int[] Y, int Dimension) Load(string directory)
{
    using var features = NpyReader.Open(Path.Combine(directory, FeatureSet.FeaturesFileName));
    var x = new float[features.ElementCount];
    features.Read(0, x);
    // labels.npy is int64 after a header whose length the 9th and 10th bytes give (version 1.0).
    byte[] labels = File.ReadAllBytes(Path.Combine(directory, FeatureSet.LabelsFileName));
    int data = 10 + BitConverter.ToUInt16(labels, 8);
    int[] y = [.. MemoryMarshal.Cast<byte, long>(labels.AsSpan(data)).ToArray().Select(v => (int)v)];
    return (x, y, (int)features.Shape[1]);
}

/// <summary>One descriptor as ML.NET reads it.</summary>
internal sealed class Row
{
    public float[] Features { get; set; } = [];

    public uint Label { get; set; }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using VggSharp.Tensors;

namespace VggSharp.Tests.Interop;

/// <summary>
/// Runs tests/fixtures/onnx_reference.py with Debian's Python: ONNX's checker, then a NumPy evaluator that shares no
/// code with VggSharp. scripts/setup.sh installs python3-onnx (which brings numpy) for it.
/// </summary>
public static class OnnxReference
{
    private const string Python = "/usr/bin/python3";

    /// <summary>The output the evaluator computes for <paramref name="input"/>, and the script's summary of the file.</summary>
    public static (float[] Output, JsonElement Summary) Run(string onnxPath, Tensor input)
    {
        string directory = Path.GetDirectoryName(onnxPath)!;
        string inputPath = Path.Combine(directory, "input.f32"), outputPath = Path.Combine(directory, "output.f32");
        File.WriteAllBytes(inputPath, MemoryMarshal.AsBytes(input.Span).ToArray());
        string script = Path.Combine(AppContext.BaseDirectory, "fixtures", "onnx_reference.py");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { script, onnxPath, inputPath, string.Join(",", input.Shape.ToArray()), outputPath }) start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{Python} is needed for the ONNX tests; scripts/setup.sh installs it with python3-onnx.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("onnx_reference.py took more than two minutes.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"onnx_reference.py failed ({process.ExitCode}); python3-onnx is installed by scripts/setup.sh:\n{stderr}");
            var output = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(outputPath)).ToArray();
            return (output, JsonDocument.Parse(stdout.Result).RootElement.Clone());
        }
    }
}

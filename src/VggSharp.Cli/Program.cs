namespace VggSharp.Cli;

/// <summary>The process entry point of the vggsharp tool.</summary>
internal static class Program
{
    private static int Main(string[] args) => Cli.Run(args, Console.Out, Console.Error);
}

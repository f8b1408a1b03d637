using System.CommandLine;
using VggSharp.Cli.Options;
using VggSharp.Cli.Output;
using VggSharp.Models;

namespace VggSharp.Cli.Commands;

/// <summary>"vggsharp info": a network's layers with output shapes, parameters, multiply-adds and activation memory.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var model = new ModelOptions(new VggOptions(), requireConfiguration: true);
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("info",
            "Show a network's layers: output shape, parameters, multiply-adds and activation memory for one image, and the totals.");
        model.AddTo(command);
        command.Options.Add(json);
        command.SetAction(parseResult =>
        {
            // The summary needs only the layers: the weights (about 550 MB for D) are allocated but never drawn.
            using var vgg = VggModel.CreateUninitialized(model.Read(parseResult));
            var summary = ModelSummary.Of(vgg);
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json)) InfoReport.Of(vgg, summary).WriteTo(output);
            else SummaryTable.Write(vgg, summary, Terminal.For(output));
            return Cli.Success;
        });
        return command;
    }
}

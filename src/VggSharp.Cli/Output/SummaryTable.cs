using Spectre.Console;
using VggSharp.Models;

namespace VggSharp.Cli.Output;

/// <summary>The table form of "vggsharp info": one row per layer, then the totals.</summary>
internal static class SummaryTable
{
    /// <summary>Writes <paramref name="summary"/> of <paramref name="model"/> to <paramref name="console"/>.</summary>
    public static void Write(VggModel model, ModelSummary summary, IAnsiConsole console)
    {
        var options = model.Options;
        var configuration = model.Configuration;
        console.WriteLine(
            $"VGG configuration {configuration.Name}: {configuration.WeightLayers} weight layers, "
            + $"input {Quantities.ImageShape(summary.InputShape.Dimensions)}, {options.Classes} classes, "
            + $"{options.Head.ToString().ToLowerInvariant()} head ({options.EffectiveHiddenUnits} hidden units), width x{options.WidthMultiplier}");

        var table = new Table()
            .AddColumn("Layer")
            .AddColumn("Role")
            .AddColumn("Description")
            .AddColumn(new TableColumn("Output").RightAligned())
            .AddColumn(new TableColumn("Parameters").RightAligned())
            .AddColumn(new TableColumn("Multiply-adds").RightAligned())
            .AddColumn(new TableColumn("Activations").RightAligned());
        foreach (var layer in summary.Layers)
        {
            table.AddRow(
                new Text(layer.Name),
                new Text(layer.Role),
                new Text(layer.Description),
                new Text(Quantities.ImageShape(layer.OutputShape.Dimensions)),
                new Text(Quantities.Count(layer.Parameters)),
                new Text(Quantities.Count(layer.MultiplyAdds)),
                new Text(Quantities.Bytes(layer.ActivationBytes)));
        }
        console.Write(table);

        var totals = new Grid().AddColumn().AddColumn(new GridColumn().RightAligned());
        totals.AddRow(new Text("Total parameters"), new Text(Quantities.Count(summary.Parameters)));
        totals.AddRow(new Text("Total multiply-adds"), new Text(Quantities.Giga(summary.MultiplyAdds)));
        totals.AddRow(new Text("Activation memory per image"), new Text(Quantities.Megabytes(summary.ActivationBytes)));
        console.Write(totals);
    }
}

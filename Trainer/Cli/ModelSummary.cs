using Spectre.Console;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Trainer.Cli;

/// <summary>The table <c>train</c> and <c>factor</c> print after writing a model: its file, how it was made, and the
/// two errors recorded in its provenance; each command adds its own rows below.</summary>
internal static class ModelSummary
{
    public static Table Table(GfmmModel model, string path, string howLabel, string how)
    {
        var table = new Table().AddColumn("").AddColumn("").HideHeaders();
        table.AddRow("model", Markup.Escape(path));
        table.AddRow(howLabel, how);
        table.AddRow("dtype", GfmmDtypes.Name(model.Dtype));
        var metrics = model.Provenance.Metrics;
        table.AddRow("‖LU − A/s‖₂", Figure(metrics?.Error2));
        table.AddRow("‖LU − A/s‖_F / ‖A/s‖_F", Figure(metrics?.RelativeFrobenius));
        return table;
    }

    private static string Figure(double? value) => value is { } v ? v.ToString("0.000e+00") : "not recorded";
}

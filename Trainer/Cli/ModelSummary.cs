using Spectre.Console;
using GenLu.Gfmm;

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
        table.AddRow("‖LU − A/s‖₂", $"{model.Provenance.Metrics!["error_2"]!.GetValue<double>():0.000e+00}");
        table.AddRow("‖LU − A/s‖_F / ‖A/s‖_F", $"{model.Provenance.Metrics!["relative_frobenius"]!.GetValue<double>():0.000e+00}");
        return table;
    }
}

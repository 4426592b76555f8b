using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Trainer.Cli;

/// <summary><c>genlu inspect</c>: a model's shape, size and provenance.</summary>
internal static class InspectCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<FileInfo>("model") { Description = "A *.gfmm.json model file." };
        var json = new Option<bool>("--json") { Description = "Print the shape and provenance as JSON (figures that are infinite or NaN as null)." };
        var command = new Command("inspect", "Show a model's shape, parameter count, provenance and metrics.");
        command.Arguments.Add(model);
        command.Options.Add(json);
        command.SetAction(result => GenluCommandLine.Guarded(console, "inspect", () =>
        {
            var file = result.GetValue(model)!;
            if (!file.Exists) throw new CliException($"model file '{file.FullName}' does not exist.");
            var loaded = GfmmModel.Load(file.FullName);
            if (result.GetValue(json))
            {
                console.WriteVerbatim(Json(file.Name, loaded).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }

            var shape = new Table().AddColumn("").AddColumn("").HideHeaders().Title(Markup.Escape(file.Name));
            shape.AddRow("M x P ≥ N", $"{loaded.M} x {loaded.P} = {loaded.PaddedN} ≥ {loaded.N}");
            shape.AddRow("dtype", GfmmDtypes.Name(loaded.Dtype));
            shape.AddRow("scale s", loaded.Scale.ToString("G6"));
            shape.AddRow("tensors", $"L {loaded.L.StoredTensorCount} of {loaded.L.Layout.TensorCount}, U {loaded.U.StoredTensorCount} of {loaded.U.Layout.TensorCount} stored (each {loaded.P} x {loaded.P}; the others are zero)");
            long dense = (long)loaded.N * loaded.N;
            shape.AddRow("log |det(s·L·U)|", Determinant(loaded) is { } determinant
                ? $"{determinant.LogAbsoluteValue:0.000000e+00} (sign {(determinant.Sign < 0 ? "−" : "+")})" : "none: a G_i cannot be factored");
            shape.AddRow("parameters", $"{loaded.ParameterCount:N0} = {(double)loaded.ParameterCount / dense:P1} of dense N² = {dense:N0}");
            console.Out.Write(shape);
            foreach (var (title, section) in new[] { ("operator", loaded.Provenance.Operator?.ToJson()), ("training", loaded.Provenance.Construction?.ToJson()), ("metrics", loaded.Provenance.Metrics?.ToJson()) })
                if (section is not null)
                    console.Out.Write(Section(title, section));
            return 0;
        }));
        return command;
    }

    /// <summary>The model as JSON: the provenance sections as the file holds them (the provenance writer already
    /// writes a non-finite figure as null).</summary>
    private static JsonObject Json(string name, GfmmModel model)
    {
        var determinant = Determinant(model);
        return new JsonObject
        {
            ["model"] = name,
            ["M"] = model.M,
            ["P"] = model.P,
            ["N"] = model.N,
            ["dtype"] = GfmmDtypes.Name(model.Dtype),
            ["scale"] = EvalCommand.Number(model.Scale),
            ["paddedN"] = model.PaddedN,
            ["tensors"] = new JsonObject { ["L"] = model.L.Layout.TensorCount, ["U"] = model.U.Layout.TensorCount },
            ["storedTensors"] = new JsonObject { ["L"] = model.L.StoredTensorCount, ["U"] = model.U.StoredTensorCount },
            ["parameters"] = model.ParameterCount,
            ["operator"] = model.Provenance.Operator?.ToJson(),
            ["training"] = model.Provenance.Construction?.ToJson(),
            ["metrics"] = model.Provenance.Metrics?.ToJson(),
            ["logAbsDeterminant"] = determinant is { } d ? EvalCommand.Number(d.LogAbsoluteValue) : null,
            ["determinantSign"] = determinant?.Sign,
            ["determinantNote"] = determinant is null ? $"a diagonal block G_i cannot be factored in {(model.Dtype == GfmmDtype.Float64 ? "double" : "float")}: the model has no solve" : null,
        };
    }

    /// <summary><c>log |det(s L U)|</c> and its sign from the diagonal blocks (O(N P²)); null when a G_i is rejected.</summary>
    private static LogDeterminant? Determinant(GfmmModel model)
    {
        try
        {
            return new GfmmSolver(model).LogDeterminant;
        }
        catch (SingularBlockException)
        {
            return null;
        }
    }

    private static Table Section(string title, JsonObject section)
    {
        var table = new Table().AddColumn("").AddColumn("").HideHeaders().Title(title);
        foreach (var (key, value) in section)
            table.AddRow(Markup.Escape(key), Markup.Escape(Format(value)));
        return table;
    }

    private static string Format(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue(out double d) && !v.TryGetValue(out long _) => d.ToString("G6"),
        JsonValue v when v.TryGetValue(out string? s) => s ?? "",
        null => "null",
        _ => value.ToJsonString(new JsonSerializerOptions { WriteIndented = false }),
    };
}

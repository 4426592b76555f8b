using GenLu.Dense;
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenLu.Metrics;
using GenLu.Solvers;
using Spectre.Console;
using GenLu.Gfmm;
using GenLu.Trainer.Training;
using GenLu.Trainer.Plots;

namespace GenLu.Trainer.Cli;

/// <summary>
/// <c>genlu eval</c>: the spec's accuracy figures of a model on its operator: ‖E_A‖₂ and the relative
/// Frobenius error of <c>LU − A/s</c>, and the true-b solve errors (e_x, mean and max backward error)
/// of the plain structured solve and of the refined solve, beside the reference-style figure.
/// </summary>
internal static class EvalCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(CliConsole console)
    {
        var modelArgument = new Argument<FileInfo>("model") { Description = "A *.gfmm.json model file." };
        var problem = new ProblemOptions();
        var plots = new Option<DirectoryInfo?>("--plots") { Description = "Directory for error.png (|LU − A/s| on a log scale)." };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON instead of a table." };
        var samples = new Option<int>("--samples") { Description = "Random solutions x for the solve errors.", DefaultValueFactory = _ => 1000 };

        var command = new Command("eval", "Measure a model's accuracy on its operator (default: the operator recorded in the model).");
        command.Arguments.Add(modelArgument);
        problem.AddTo(command);
        command.Options.Add(plots);
        command.Options.Add(json);
        command.Options.Add(samples);
        command.SetAction(result => GenluCommandLine.Guarded(console, "eval", () =>
        {
            var file = result.GetValue(modelArgument)!;
            if (!file.Exists) throw new CliException($"model file '{file.FullName}' does not exist.");
            if (result.GetValue(samples) < 1) throw new CliException("--samples must be >= 1.");
            var model = GfmmModel.Load(file.FullName);
            // The provenance's N is only a claim of the file: compare it before the operator (N² doubles) is built.
            if (!problem.IsGiven(result) && model.Provenance.Operator?.N is { } recordedN && recordedN != model.N)
                throw new CliException($"the model's provenance names an operator with N = {recordedN}, but the model has N = {model.N}; give --operator or --matrix.");
            var target = problem.IsGiven(result) ? problem.Resolve(result, model.N) : ProblemOptions.FromProvenance(model.Provenance.Operator);
            if (target.N != model.N) throw new CliException($"the operator is {target.N} x {target.N}, but the model has N = {model.N}.");
            string? plotDirectory = result.GetValue(plots)?.FullName;

            var figures = Measure(model, target, result.GetValue(samples), out double[] residual);
            if (plotDirectory is not null)
            {
                Directory.CreateDirectory(plotDirectory);
                TrainingPlots.SaveErrorHeatmap(residual, model.N, model.P, file.Name, Path.Combine(plotDirectory, "error.png"));
            }
            if (result.GetValue(json))
                console.WriteVerbatim(figures.ToJsonString(Indented));
            else
                console.Out.Write(Table(file.Name, target, figures));
            return 0;
        }));
        return command;
    }

    /// <summary>All figures as JSON (a figure that is infinite or NaN is written as null, as JSON has no such
    /// numbers); <paramref name="residual"/> is <c>LU − A/s</c> (s the model's scale).</summary>
    private static JsonObject Measure(GfmmModel model, TrainingProblem target, int samples, out double[] residual)
    {
        int n = model.N;
        double[] operatorMatrix = target.Matrix.Select(v => v * target.Scale).ToArray();
        double[] product = model.ToDense();
        residual = product.Zip(operatorMatrix, (approx, exact) => (approx - exact) / model.Scale).ToArray();
        double normA = MatrixNorms.Spectral(operatorMatrix, n, n);

        var report = SolveMetrics.Measure(LinearOperator.FromDense(operatorMatrix, n), normA, model, new SolveMetricsOptions { Samples = samples });
        var modelDeterminant = new GfmmSolver(model).LogDeterminant;
        var (operatorSign, operatorLogAbs) = new LuFactorization<double>(operatorMatrix, n, MatrixLayout.RowMajor).LogDeterminant();
        return new JsonObject
        {
            ["operator"] = target.ToProvenance().ToJson(),
            ["logAbsDeterminant"] = Number(modelDeterminant.LogAbsoluteValue),
            ["determinantSign"] = modelDeterminant.Sign,
            // log |det A| of the operator itself, from a dense LU in double (eval forms A densely anyway).
            ["operatorLogAbsDeterminant"] = Number(operatorLogAbs),
            ["operatorDeterminantSign"] = operatorSign,
            ["error_2"] = Number(MatrixNorms.Spectral(residual, n, n)),
            ["relative_frobenius"] = Number(MatrixNorms.RelativeFrobeniusError(product, operatorMatrix)),
            ["samples"] = report.Samples,
            ["seed"] = report.Seed,
            ["plain"] = Figures(report.Plain),
            ["refined"] = Figures(report.Refined),
            ["refinement"] = new JsonObject
            {
                ["method"] = report.Method.ToString(),
                ["mean_iterations"] = Number(report.MeanIterations),
                ["max_iterations"] = report.MaxIterations,
                ["not_converged"] = report.NotConverged,
            },
            ["reference_style_b_hat"] = new JsonObject
            {
                ["error_x"] = Number(report.ReferenceStyle.ErrorX),
                ["relative_error_x"] = Number(report.ReferenceStyle.RelativeErrorX),
            },
        };
    }

    private static JsonObject Figures(SolveErrorFigures f) => new()
    {
        ["error_x"] = Number(f.ErrorX),
        ["relative_error_x"] = Number(f.RelativeErrorX),
        ["mean_backward_error"] = Number(f.MeanBackwardError),
        ["max_backward_error"] = Number(f.MaxBackwardError),
    };

    private static string LogDeterminantText(JsonNode? logAbs, JsonNode? sign) =>
        logAbs is null ? "not finite" : $"{logAbs.GetValue<double>():0.000000e+00} ({(sign!.GetValue<int>() < 0 ? "−" : "+")})";

    /// <summary>A figure as a JSON number, or null when it is infinite or NaN (a diverged solve, a singular model).</summary>
    internal static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static Table Table(string modelName, TrainingProblem target, JsonObject figures)
    {
        static string E(JsonNode? node) => node is null ? "not finite" : node.GetValue<double>().ToString("0.000e+00");
        var table = new Table()
            .Title(Markup.Escape($"{modelName} on {target.Name} (N = {target.N})"))
            .AddColumn("figure").AddColumn(new TableColumn("plain solve").RightAligned()).AddColumn(new TableColumn("refined").RightAligned());
        table.AddRow("‖LU − A/s‖₂ (‖E_A‖₂)", E(figures["error_2"]), "");
        table.AddRow("‖LU − A/s‖_F / ‖A/s‖_F", E(figures["relative_frobenius"]), "");
        foreach (var (label, key) in new[] { ("e_x = ‖X − X̂‖_F (true b)", "error_x"), ("‖X − X̂‖_F / ‖X‖_F", "relative_error_x"), ("mean backward error", "mean_backward_error"), ("max backward error", "max_backward_error") })
            table.AddRow(Markup.Escape(label), E(figures["plain"]![key]), E(figures["refined"]![key]));
        var refinement = figures["refinement"]!;
        table.AddRow("refinement", "", Markup.Escape($"{refinement["method"]}, mean {(refinement["mean_iterations"] is { } mean ? mean.GetValue<double>().ToString("0.0") : "not finite")} iterations, {refinement["not_converged"]} not converged"));
        table.AddRow(Markup.Escape("e_x against b̂ = Â x (reference style, round-off only)"), E(figures["reference_style_b_hat"]!["error_x"]), "");
        table.AddRow(Markup.Escape("log |det| (sign): model s·L·U vs A"),
            Markup.Escape($"{LogDeterminantText(figures["logAbsDeterminant"], figures["determinantSign"])} vs {LogDeterminantText(figures["operatorLogAbsDeterminant"], figures["operatorDeterminantSign"])}"), "");
        table.Caption($"{figures["samples"]} random x (seed {figures["seed"]})");
        return table;
    }
}

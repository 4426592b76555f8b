using System.CommandLine;
using GenLu.Exact;
using Spectre.Console;
using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.Trainer.Training;

namespace GenLu.Trainer.Cli;

/// <summary>
/// <c>genlu factor</c>: build L and U algebraically from the operator's block LU (near field exact,
/// far field compressed with nested bases) instead of learning them, and save the model.
/// </summary>
internal static class FactorCommand
{
    public static Command Create(CliConsole console)
    {
        var defaults = new TrainingOptions();
        var problem = new ProblemOptions();
        var m = new Option<int>("--m") { Description = "Number of leaf blocks M (a power of two).", DefaultValueFactory = _ => defaults.M };
        var p = new Option<int>("--p") { Description = "Leaf block size P (N = M * P).", DefaultValueFactory = _ => defaults.P };
        var tolerance = new Option<double>("--tolerance") { Description = "Relative truncation tolerance of the far-field bases.", DefaultValueFactory = _ => ExactFactorization.DefaultTolerance };
        var output = new Option<FileInfo?>("--out") { Description = "Model file to write (default: <operator>.gfmm.json)." };

        var command = new Command("factor", "Construct GFMM factors L and U exactly from the block LU of the matrix (no training).");
        problem.AddTo(command);
        foreach (Option option in new Option[] { m, p, tolerance, output })
            command.Options.Add(option);

        command.SetAction(result => GenluCommandLine.Guarded(console, "factor", () =>
        {
            int mValue = result.GetValue(m), pValue = result.GetValue(p);
            double tol = result.GetValue(tolerance);
            if (!(tol >= 0) || double.IsInfinity(tol)) throw new CliException($"--tolerance must be finite and >= 0, not {tol}.");
            var layoutCheck = new GfmmLayout(GfmmKind.Lower, mValue, pValue); // validates M and P with a clear message
            var trainingProblem = problem.Resolve(result, layoutCheck.N);
            string outputPath = result.GetValue(output)?.FullName ?? Path.GetFullPath(trainingProblem.Name + ".gfmm.json");
            if (!Directory.Exists(Path.GetDirectoryName(outputPath)))
                throw new CliException($"--out: directory '{Path.GetDirectoryName(outputPath)}' does not exist.");

            var built = Build(trainingProblem, mValue, pValue, tol);
            var model = new GfmmModel(built.Model.L, built.Model.U, trainingProblem.Scale, built.Model.Provenance with
            {
                Operator = trainingProblem.ToProvenance(),
                Metrics = ModelExport.Metrics(built.Model.L, built.Model.U, trainingProblem, out _),
            });
            model.Save(outputPath);
            console.Out.Write(Summary(built, model, outputPath));
            return 0;
        }));
        return command;
    }

    /// <summary>The exact construction for a problem (its matrix is already divided by its scale).</summary>
    public static ExactResult Build(TrainingProblem problem, int m, int p, double tolerance = ExactFactorization.DefaultTolerance) =>
        ExactFactorization.Build(problem.Matrix, m, p, scale: 1, tolerance);

    private static Table Summary(ExactResult built, GfmmModel model, string path)
    {
        var table = ModelSummary.Table(model, path, "built in", $"{built.Seconds:0.000} s");
        foreach (var level in built.Truncation)
            table.AddRow($"{level.Factor} {level.Side.ToString().ToLowerInvariant()} basis, level {level.Level}",
                $"rank ≤ {level.MaxRank}, largest discarded σ {level.LargestDiscarded:0.0e+00}");
        return table;
    }
}

using System.CommandLine;
using GenLu.Exact;
using Spectre.Console;
using GenLu.Gfmm;
using GenLu.Operators;
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
        var problem = new ProblemOptions();
        var m = LeavesOption();
        var p = BlockSizeOption();
        var tolerance = new Option<double>("--tolerance")
        {
            Description = "Relative truncation tolerance: of the far-field bases, or of the compression of a matrix given by entries.",
            DefaultValueFactory = _ => ExactFactorization.DefaultTolerance,
        };
        var output = new Option<FileInfo?>("--out") { Description = "Model file to write (default: <operator>.gfmm.json)." };
        var dtype = ChoiceOption.Create("--dtype", "Number type of the model's weights and solves: float32, or float64 for an operator whose condition number (near 1e8 or more) leaves float32 no correct digit.", GfmmDtype.Float32);

        var command = new Command("factor", "Construct GFMM factors L and U exactly from the block LU of the matrix (no training).");
        problem.AddTo(command);
        foreach (Option option in new Option[] { m, p, tolerance, output, dtype })
            command.Options.Add(option);

        // The body runs on a worker task so that System.CommandLine's Ctrl+C handler can cancel the build (as in train).
        command.SetAction((result, cancellation) => Task.Run(() => GenluCommandLine.Guarded(console, "factor", () =>
        {
            double tol = result.GetValue(tolerance);
            if (!(tol >= 0) || double.IsInfinity(tol)) throw new CliException($"--tolerance must be finite and >= 0, not {tol}.");
            string? requested = result.GetValue(output)?.FullName;
            if (requested is not null && !Directory.Exists(Path.GetDirectoryName(requested)))
                throw new CliException($"--out: directory '{Path.GetDirectoryName(requested)}' does not exist.");
            var (trainingProblem, mValue, pValue) = problem.ResolveWithLayout(result, m, p);
            string outputPath = requested ?? Path.GetFullPath(trainingProblem.Name + ".gfmm.json");
            if (!Directory.Exists(Path.GetDirectoryName(outputPath)))
                throw new CliException($"--out: directory '{Path.GetDirectoryName(outputPath)}' does not exist.");
            GenluCommandLine.WarnUnlessWeightFileName(console, "factor", outputPath);

            console.Out.WriteLine($"Factoring {trainingProblem.Name} (N = {trainingProblem.N}{(trainingProblem.Sparse is { } sparse ? $", sparse, {sparse.NonZeroCount:N0} entries" : "")}) with M = {mValue}, P = {pValue}" +
                $"{(mValue * pValue > trainingProblem.N ? $" (padded to {mValue * pValue})" : "")}.");
            ExactResult built;
            try
            {
                built = FactorProgressView.Show(console, progress => Build(trainingProblem, mValue, pValue, tol, progress, cancellation, ChoiceOption.Value<GfmmDtype>(result, dtype)));
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                console.Error.WriteLine("genlu factor: interrupted; nothing written.");
                return GenluCommandLine.InterruptedExitCode;
            }

            var model = new GfmmModel(built.Model.L, built.Model.U, trainingProblem.Scale, built.Model.Provenance with
            {
                Operator = trainingProblem.ToProvenance(),
                Metrics = ModelExport.Metrics(built.Model.L, built.Model.U, trainingProblem, out _),
            }, trainingProblem.N);
            model.Save(outputPath);
            console.Out.Write(Summary(built, model, outputPath));
            return 0;
        }), CancellationToken.None));
        return command;
    }

    /// <summary><c>--m</c>, shared with <c>train</c>: unset means "from N" (see <see cref="ProblemOptions.ResolveWithLayout"/>).</summary>
    public static Option<int?> LeavesOption() => new("--m")
    {
        Description = "Number of leaf blocks M, a power of two (default: the smallest M >= 2 with M * P >= N when N is known from --n, --grid or --matrix; else 8).",
    };

    /// <summary><c>--p</c>, shared with <c>train</c>.</summary>
    public static Option<int?> BlockSizeOption() => new("--p")
    {
        Description = "Leaf block size P (default: 32). M * P >= N; the padded rows and columns hold the identity.",
    };

    /// <summary>
    /// The exact construction for a problem (its matrix is already divided by its scale), padded to M·P with the identity:
    /// from its CSR matrix when it is sparse (never densified where it has a band); from its entries when it is given by
    /// them (a kernel) or is a dense matrix above order <see cref="TrainingProblem.MaxDenseOrder"/>, where the dense block
    /// LU's (2/3) N³ would dominate; else from the dense matrix.
    /// </summary>
    public static ExactResult Build(TrainingProblem problem, int m, int p, double tolerance = ExactFactorization.DefaultTolerance,
        IProgress<ExactProgress>? progress = null, CancellationToken cancellationToken = default, GfmmDtype dtype = GfmmDtype.Float32)
    {
        if (problem.Sparse is { } sparse)
            return ExactFactorization.Build(sparse, m, p, scale: 1, tolerance, progress, cancellationToken, dtype);
        if (problem.Entries is { } entries)
            return ExactFactorization.Build(entries, m, p, scale: 1, tolerance, progress, cancellationToken, dtype);
        if (problem.N > TrainingProblem.MaxDenseOrder)
            return ExactFactorization.Build(MatrixEntries.FromDense(problem.Matrix, problem.N), m, p, scale: 1, tolerance, progress, cancellationToken, dtype);
        return ExactFactorization.Build(problem.Matrix, problem.N, m, p, scale: 1, tolerance, progress, cancellationToken, dtype);
    }

    private static Table Summary(ExactResult built, GfmmModel model, string path)
    {
        var table = ModelSummary.Table(model, path, "built in", $"{built.Seconds:0.000} s");
        // Above the dense metrics order only the sampled residual is recorded (ModelExport.Metrics).
        if (model.Provenance.Metrics?.AdditionalFields[ModelExport.SampledResidualField] is { } sampled)
            table.AddRow($"max ‖LU x − (A/s) x‖ / ‖(A/s) x‖, {ModelExport.ResidualSamples} random x", $"{sampled.GetValue<double>():0.000e+00}");
        if (model.Provenance.Metrics?.AdditionalFields[ModelExport.SampledRowErrorField] is { } rows)
            table.AddRow($"‖LU − A/s‖_F / ‖A/s‖_F on {ModelExport.ErrorRows} random rows", $"{rows.GetValue<double>():0.000e+00}");
        foreach (var level in built.Truncation)
            table.AddRow($"{level.Factor} {level.Side.ToString().ToLowerInvariant()} basis, level {level.Level}",
                $"rank ≤ {level.MaxRank}, largest discarded σ {level.LargestDiscarded:0.0e+00}");
        return table;
    }
}

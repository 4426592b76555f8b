using System.CommandLine;
using Spectre.Console;
using static TorchSharp.torch;
using GenLu.Dense;
using GenLu.Gfmm;
using GenLu.Metrics;
using GenLu.Trainer.Training;
using GenLu.Trainer.Plots;

namespace GenLu.Trainer.Cli;

/// <summary><c>genlu train</c>: learn L and U for an operator or a matrix file and save the model.</summary>
internal static class TrainCommand
{
    /// <summary>
    /// Default step limit per block and polish length: `genlu train` with no options (1D Laplacian,
    /// N = 256, M = 8, P = 32, block-wise) runs at most 8 x 2,500 = 20,000 Adam steps and 2,000 L-BFGS
    /// iterations: 71 s on this 2-core machine at load 3, 158 s at load 9. A larger budget (4,000 and
    /// 3,000) gave the same ‖LU − A‖₂ but worse-conditioned factors (GMRES needed 43 instead of 12
    /// iterations and 67 of 1,000 solves did not converge), so the smaller one is the default.
    /// </summary>
    public const int DefaultSteps = 2_500;

    public const int DefaultPolishIterations = 2_000;

    public static Command Create(CliConsole console)
    {
        var defaults = new TrainingOptions();
        var problem = new ProblemOptions();
        var m = FactorCommand.LeavesOption();
        var p = FactorCommand.BlockSizeOption();
        var steps = new Option<int>("--steps") { Description = "Step limit: of each block with --block-wise, else of the whole run.", DefaultValueFactory = _ => DefaultSteps };
        var blockWise = new Option<bool>("--block-wise") { Description = "Fit block row after block row, freezing what fitted rows depend on (default; --block-wise false fits all rows at once).", DefaultValueFactory = _ => defaults.BlockWise };
        var transposeLoss = new Option<bool>("--transpose-loss") { Description = "Also fit U^T L^T e_i to A^T e_i." };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights.", DefaultValueFactory = _ => defaults.Seed };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (until --late-after steps of a block).", DefaultValueFactory = _ => defaults.LearningRate };
        var lateLr = new Option<double>("--late-lr") { Description = "Learning rate after --late-after steps of a block.", DefaultValueFactory = _ => defaults.LateLearningRate };
        var lateAfter = new Option<int>("--late-after") { Description = "Steps of a block before the learning rate drops.", DefaultValueFactory = _ => defaults.LateAfterSteps };
        var schedule = ChoiceOption.Create("--schedule", "Learning-rate schedule: step (the reference: --lr, then --late-lr after --late-after steps) or cosine (--lr decaying to --late-lr over --steps).", defaults.Schedule);
        var beta1 = new Option<double>("--beta1") { Description = "Adam beta1 (the reference uses 0.999).", DefaultValueFactory = _ => defaults.Beta1 };
        var beta2 = new Option<double>("--beta2") { Description = "Adam beta2.", DefaultValueFactory = _ => defaults.Beta2 };
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "Checkpoint file, written every --checkpoint-every steps and on Ctrl+C." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 1_000 };
        var resume = new Option<bool>("--resume") { Description = "Continue from --checkpoint (same options as the interrupted run)." };
        var plots = new Option<DirectoryInfo?>("--plots") { Description = "Directory for loss.png and error.png." };
        var output = new Option<FileInfo?>("--out") { Description = "Model file to write (default: <operator>.gfmm.json)." };
        var polish = new Option<int>("--polish") { Description = "After training, this many L-BFGS iterations in float64 on the whole loss (all weights free); 0 to skip.", DefaultValueFactory = _ => DefaultPolishIterations };
        // One thread by default: the products are small (P x P blocks), and on this shared 2-core machine
        // one thread ran 370-390 steps/s against 170-240 with two (N = 256, M = 8, P = 32).
        var init = ChoiceOption.Create("--init", "Starting weights: random (uniform in [-0.1, 0.1], seeded) or exact (the 'genlu factor' construction, refined by training).", InitialWeights.Random);
        var threads = new Option<int>("--threads") { Description = "CPU threads for TorchSharp.", DefaultValueFactory = _ => 1 };

        var command = new Command("train", "Learn GFMM factors L and U with A ≈ s · L U. Writes a float32 model (for float64, use 'genlu factor --dtype float64').");
        problem.AddTo(command);
        foreach (Option option in new Option[] { m, p, steps, blockWise, transposeLoss, seed, lr, lateLr, lateAfter, schedule, beta1, beta2, checkpoint, checkpointEvery, resume, plots, output, polish, init, threads })
            command.Options.Add(option);

        // The body runs on a worker task: System.CommandLine installs its Ctrl+C handler (which cancels the
        // token) only once the action has returned its task, so a synchronous body could not be interrupted.
        command.SetAction((result, cancellation) => Task.Run(() => GenluCommandLine.Guarded(console, "train", () =>
        {
            var (trainingProblem, leaves, blockSize) = problem.ResolveWithLayout(result, m, p);
            var options = new TrainingOptions
            {
                M = leaves,
                P = blockSize,
                Seed = result.GetValue(seed),
                BlockWise = result.GetValue(blockWise),
                TransposeLoss = result.GetValue(transposeLoss),
                LearningRate = result.GetValue(lr),
                LateLearningRate = result.GetValue(lateLr),
                LateAfterSteps = result.GetValue(lateAfter),
                Schedule = ChoiceOption.Value<LearningRateSchedule>(result, schedule),
                Beta1 = result.GetValue(beta1),
                Beta2 = result.GetValue(beta2),
                MaxStepsPerBlock = result.GetValue(steps),
            };
            options.Validate();
            if (result.GetValue(threads) < 1) throw new CliException("--threads must be >= 1.");
            if (result.GetValue(checkpointEvery) < 1) throw new CliException("--checkpoint-every must be >= 1.");
            if (result.GetValue(polish) < 0) throw new CliException("--polish must be >= 0.");
            string? checkpointPath = result.GetValue(checkpoint)?.FullName;
            if (result.GetValue(resume) && checkpointPath is null) throw new CliException("--resume needs --checkpoint FILE.");
            if (result.GetValue(resume) && !File.Exists(checkpointPath)) throw new CliException($"checkpoint '{checkpointPath}' does not exist.");

            if (ZeroRowOrColumn(trainingProblem.Matrix, trainingProblem.N) is { } zero)
                throw new CliException($"the operator is singular: {zero} is zero, so A has no LU factors; nothing was trained.");
            var conditioning = Conditioning(trainingProblem.Matrix, trainingProblem.N);
            if (conditioning.ZeroPivot > 0)
                throw new CliException($"the operator is singular (rank-deficient): its LU with partial pivoting has a zero pivot in column {conditioning.ZeroPivot}; nothing was trained.");
            if (!(conditioning.Estimate <= MaxCondition))
                throw new CliException($"the operator is singular to double precision (condition number >= {conditioning.Estimate:0.0e+00}, more than 1/ε = {MaxCondition:0.0e+00}): " +
                    "factors could fit A, but no solve with them would mean anything; nothing was trained.");
            string outputPath = result.GetValue(output)?.FullName ?? Path.GetFullPath(trainingProblem.Name + ".gfmm.json");
            RequireFileTarget(outputPath, "--out");
            GenluCommandLine.WarnUnlessWeightFileName(console, "train", outputPath);
            if (checkpointPath is not null) RequireFileTarget(checkpointPath, "--checkpoint");
            string? plotDirectory = result.GetValue(plots)?.FullName;
            if (plotDirectory is not null) Directory.CreateDirectory(plotDirectory);

            set_num_threads(result.GetValue(threads));
            using var trainer = new GfmmTrainer(trainingProblem, options);
            bool exactStart = ChoiceOption.Value<InitialWeights>(result, init) == InitialWeights.Exact;
            GfmmModel? start = exactStart ? FactorCommand.Build(trainingProblem, options.M, options.P).Model : null;
            if (start is not null) trainer.Network.Load(start);
            if (result.GetValue(resume))
            {
                TrainingCheckpoint.Restore(trainer, checkpointPath!);
                console.Out.WriteLine($"Resuming at step {trainer.TotalSteps} (block {trainer.Block + 1}/{options.BlockCount}) from {checkpointPath}.");
            }

            console.Out.WriteLine($"Training {trainingProblem.Name} (N = {trainingProblem.N}, scale {trainingProblem.Scale:G6}) with M = {options.M}, P = {options.P}" +
                $"{(options.BlockWise ? ", block-wise" : "")}{(options.TransposeLoss ? ", transpose loss" : "")}.");
            var status = TrainingProgressView.Show(console, (long)options.BlockCount * options.MaxStepsPerBlock,
                report => trainer.Run(cancellation, report, checkpointPath, result.GetValue(checkpointEvery)));
            if (status == TrainingStatus.Cancelled)
            {
                console.Error.WriteLine(checkpointPath is null
                    ? $"genlu train: interrupted at step {trainer.TotalSteps}; nothing written (use --checkpoint to be able to resume)."
                    : $"genlu train: interrupted at step {trainer.TotalSteps}; checkpoint written to {checkpointPath} (continue with --resume).");
                return GenluCommandLine.InterruptedExitCode;
            }

            PolishReport? polished = null;
            if (result.GetValue(polish) > 0)
            {
                console.Out.WriteLine($"Polishing with up to {result.GetValue(polish)} L-BFGS iterations (float64).");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var (iterations, loss) = TrainingProgressView.ShowPolish(console, result.GetValue(polish),
                    report => LbfgsPolish.Run(trainer.Network, trainingProblem, result.GetValue(polish), cancellation, report));
                if (cancellation.IsCancellationRequested)
                {
                    console.Error.WriteLine("genlu train: interrupted while polishing; nothing written (the training checkpoint, if any, is complete: --resume polishes again).");
                    return GenluCommandLine.InterruptedExitCode;
                }
                polished = new PolishReport(iterations, loss, clock.Elapsed.TotalSeconds);
            }

            var model = ModelExport.Build(trainer, polished, out double[] residual);
            var trained = model.Provenance.Construction! with { Init = exactStart ? "exact" : "random" };
            model = model.WithProvenance(model.Provenance with { Construction = trained });
            if (start is not null)
            {
                // Gradient steps cannot improve factors that are already exact to float32 rounding (the
                // banded operators): keep whichever of start and result fits A better, and say so.
                var startMetrics = ModelExport.Metrics(start.L, start.U, trainingProblem, out double[] startResidual);
                if (startMetrics.Error2 <= model.Provenance.Metrics!.Error2)
                {
                    model = new GfmmModel(start.L, start.U, trainingProblem.Scale, model.Provenance with
                    {
                        Construction = trained with { Kept = "exact start: training did not lower ‖LU − A/s‖₂" },
                        Metrics = startMetrics,
                    });
                    residual = startResidual;
                    console.Out.WriteLine("Training did not improve the exact start; the exact factors are kept.");
                }
            }
            // A singular operator that passed the structural check (rank-deficient) leaves factors whose
            // product is nowhere near A (errors of 1e22 were seen): writing them would hand out garbage.
            double relativeError = model.Provenance.Metrics?.RelativeFrobenius ?? double.NaN;
            if (!(relativeError <= MaxRelativeError))
                throw new CliException($"the trained factors do not fit the operator (‖LU − A/s‖_F / ‖A/s‖_F = {relativeError:0.0e+00}, " +
                    $"more than {MaxRelativeError:0e+0}): the operator is probably singular (rank-deficient); nothing written.");
            model.Save(outputPath);
            if (plotDirectory is not null)
            {
                TrainingPlots.SaveLossPlot(trainer.History, Path.Combine(plotDirectory, "loss.png"));
                if (residual.Length > 0)
                    TrainingPlots.SaveErrorHeatmap(residual, trainingProblem.N, options.P, Path.GetFileName(outputPath), Path.Combine(plotDirectory, "error.png"));
            }
            console.Out.Write(Summary(trainer, model, outputPath));
            return 0;
        }), CancellationToken.None));
        return command;
    }

    /// <summary>
    /// A trained model whose relative Frobenius error exceeds this is refused: a model that fits A at all is
    /// below 1 (random starting weights give about 1), so 1e3 leaves room for a short run and catches the
    /// rank-deficient operators, where the error grows to 1e20 and more, or is not finite.
    /// </summary>
    internal const double MaxRelativeError = 1e3;

    /// <summary>Above this condition number (1/ε of double, 2^52; the estimate is a lower bound) the operator is
    /// singular to double precision: refused.</summary>
    internal const double MaxCondition = 1L << 52;

    /// <summary>
    /// The operator's dense LU with partial pivoting (O(n³), small beside training on the same dense matrix):
    /// the 1-based column of an exactly zero pivot (0 when none), and a lower estimate of the condition number,
    /// <c>‖A‖_F · max ‖A⁻¹ b‖₂ / ‖b‖₂</c> over a few seeded random b (a random b has a component along the
    /// direction A shrinks most).
    /// </summary>
    internal static (int ZeroPivot, double Estimate) Conditioning(double[] matrix, int n)
    {
        var lu = new LuFactorization<double>(matrix, n, MatrixLayout.RowMajor);
        if (lu.IsSingular) return (lu.Info, double.PositiveInfinity);
        var random = new Random(20261202);
        var b = new double[n];
        var x = new double[n];
        double largest = 0;
        for (int trial = 0; trial < 3; trial++)
        {
            for (int i = 0; i < n; i++) b[i] = 2 * random.NextDouble() - 1;
            lu.Solve(b, x);
            largest = Math.Max(largest, MatrixNorms.Frobenius(x) / MatrixNorms.Frobenius(b));
        }
        return (0, MatrixNorms.Frobenius(matrix) * largest);
    }

    /// <summary>"row i" or "column j" of the first all-zero row or column of the n x n row-major matrix, or null.
    /// O(n²) on a matrix that training holds densely anyway.</summary>
    internal static string? ZeroRowOrColumn(ReadOnlySpan<double> matrix, int n)
    {
        var columnHasEntry = new bool[n];
        int firstZeroRow = -1;
        for (int r = 0; r < n; r++)
        {
            var row = matrix.Slice(r * n, n);
            bool rowHasEntry = false;
            for (int c = 0; c < n; c++)
                if (row[c] != 0) { rowHasEntry = true; columnHasEntry[c] = true; }
            if (!rowHasEntry && firstZeroRow < 0) firstZeroRow = r;
        }
        if (firstZeroRow >= 0) return $"row {firstZeroRow}";
        int zeroColumn = Array.IndexOf(columnHasEntry, false);
        return zeroColumn >= 0 ? $"column {zeroColumn}" : null;
    }

    /// <summary>An output file is checked before training, so a bad path cannot waste the run: its directory
    /// must exist and the path itself must not be a directory.</summary>
    private static void RequireFileTarget(string path, string option)
    {
        if (Directory.Exists(path)) throw new CliException($"{option}: '{path}' is a directory; give the path of a file.");
        string directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory)) throw new CliException($"{option}: directory '{directory}' does not exist.");
    }

    private static Table Summary(GfmmTrainer trainer, GfmmModel model, string path)
    {
        var table = ModelSummary.Table(model, path, "steps",
            $"{trainer.TotalSteps:N0} in {trainer.ElapsedSeconds:0.0} s ({trainer.TotalSteps / Math.Max(trainer.ElapsedSeconds, 1e-9):0} steps/s)");
        table.AddRow("parameters", $"{model.ParameterCount:N0} (dense N² = {(long)model.N * model.N:N0})");
        return table;
    }
}

/// <summary>Where <c>genlu train</c> starts from.</summary>
internal enum InitialWeights
{
    Random,
    Exact,
}

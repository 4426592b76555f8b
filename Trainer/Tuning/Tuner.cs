using System.Diagnostics;
using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Solvers;
using GenLu.Structure;
using GenLu.Trainer.Training;
using GenLu.Trainer.Tuning.Peers;

namespace GenLu.Trainer.Tuning;

/// <summary>The search's settings (<c>genlu tune</c>'s options).</summary>
internal sealed record TuneOptions
{
    /// <summary>The relative residual ‖b − A x‖₂ / ‖b‖₂ an answer must reach.</summary>
    public double Accuracy { get; init; } = 1e-10;

    /// <summary>How many right-hand sides are solved per build (the build's cost is shared by them).</summary>
    public int RhsPerBuild { get; init; } = 1;

    /// <summary>Wall-clock limit of the whole search; a candidate still running when it ends is dropped.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Block sizes to try (default: 8, 16, 32, 64, 128 where N allows, see <see cref="Tuner.Candidates"/>).</summary>
    public IReadOnlyList<int>? BlockSizes { get; init; }

    /// <summary>Far-field truncation tolerances of the exact construction.</summary>
    public IReadOnlyList<double> Tolerances { get; init; } = [ExactFactorization.DefaultTolerance, 1e-5];

    /// <summary>
    /// Whether exact candidates are also tried with float64 weights (at the tightest tolerance only: a looser cut throws
    /// away the digits float64 keeps). They cost twice the memory and about 1.6x the solve time of float32, and win where
    /// the operator's condition number leaves a float32 solve (and a GMRES preconditioned by it) few correct digits.
    /// </summary>
    public bool TryFloat64 { get; init; } = true;

    /// <summary>Whether trained and exact + fine-tuned candidates are tried (dense-capable problems only).</summary>
    public bool Train { get; init; } = true;

    /// <summary>The step cap per block of a trained candidate (the tuner trains briefly; <c>genlu train</c> trains fully).</summary>
    public int TrainingStepsPerBlock { get; init; } = 300;

    /// <summary>Timed repetitions of each solve after one warm-up run; the median is kept.</summary>
    public int Repetitions { get; init; } = 5;

    /// <summary>
    /// Untimed runs before each timing, at least this long: long enough (0.3 s by default) for .NET's tiered JIT to
    /// replace the first quick code of the solve with optimized code.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(0.3);

    /// <summary>Seed of the true solution x and of the training weights.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>GMRES iterations allowed to reach <see cref="Accuracy"/>.</summary>
    public int MaxGmresIterations { get; init; } = 200;

    public void Validate()
    {
        if (!(Accuracy > 0 && Accuracy < 1)) throw new ArgumentOutOfRangeException(nameof(Accuracy), Accuracy, "The accuracy must be in (0, 1).");
        if (RhsPerBuild < 1) throw new ArgumentOutOfRangeException(nameof(RhsPerBuild), RhsPerBuild, "The right-hand sides per build must be >= 1.");
        if (Budget <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Budget), Budget, "The budget must be positive.");
        if (WarmUp < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(WarmUp), WarmUp, "The warm-up must be >= 0.");
        if (Repetitions < 1) throw new ArgumentOutOfRangeException(nameof(Repetitions), Repetitions, "The repetitions must be >= 1.");
        if (Tolerances.Count == 0 || Tolerances.Any(t => !(t >= 0) || double.IsInfinity(t)))
            throw new ArgumentException("Every tolerance must be finite and >= 0.", nameof(Tolerances));
        if (BlockSizes is { } sizes && sizes.Any(p => p < 1 || p > GfmmLayout.MaxBlockSize))
            throw new ArgumentException($"Every block size must be in 1..{GfmmLayout.MaxBlockSize}.", nameof(BlockSizes));
    }
}

/// <summary>Where the search is: candidate <see cref="Index"/> of <see cref="Count"/> (peers are index −1).</summary>
internal sealed record TuneProgress(int Index, int Count, string Label, string Stage, double ElapsedSeconds);

/// <summary>The search's outcome: every measurement, the choice (an index into <see cref="Candidates"/>) and its model.</summary>
internal sealed record TuneResult(
    IReadOnlyList<CandidateMeasurement> Candidates,
    IReadOnlyList<PeerMeasurement> Peers,
    int? Choice,
    GfmmModel? ChosenModel,
    IReadOnlyList<CandidateSpec> NotTried,
    bool BudgetExhausted,
    bool Interrupted,
    double ElapsedSeconds)
{
    /// <summary>The fastest peer to the accuracy, when it beats the chosen candidate (or there is no choice).</summary>
    public PeerMeasurement? BetterPeer(TuneOptions options)
    {
        var fastest = Peers.Where(p => p.TimeToAnswer(options.RhsPerBuild, options.Accuracy) is not null)
            .MinBy(p => p.TimeToAnswer(options.RhsPerBuild, options.Accuracy)!.Value);
        if (fastest is null) return null;
        if (Choice is not { } choice) return fastest;
        return fastest.TimeToAnswer(options.RhsPerBuild, options.Accuracy) < Candidates[choice].TimeToAnswer(options.RhsPerBuild) ? fastest : null;
    }
}

/// <summary>
/// Measures GenLu's candidate models for an operator on this machine and picks the one with the least time to the
/// requested number of answers at the requested accuracy; measures the available direct peers beside them.
/// </summary>
internal static class Tuner
{
    private static readonly int[] DefaultBlockSizes = [8, 16, 32, 64, 128];

    /// <summary>
    /// The candidates for a problem of order N: every block size with P ≤ max(8, N / 2) (at least two leaves that hold
    /// the operator), each with every tolerance; then, when training is on and the matrix may be formed densely, a
    /// trained and an exact + fine-tuned candidate at the default P (32, or the largest block size below it that N allows).
    /// </summary>
    public static IReadOnlyList<CandidateSpec> Candidates(int n, bool canBeDense, TuneOptions options)
    {
        var sizes = (options.BlockSizes ?? DefaultBlockSizes).Distinct().Order().Where(p => p <= Math.Max(8, n / 2)).ToList();
        if (sizes.Count == 0) sizes.Add((options.BlockSizes ?? DefaultBlockSizes).Min());
        var specs = new List<CandidateSpec>();
        foreach (int p in sizes)
        {
            int m = TrainingOptions.LeavesFor(n, p);
            foreach (double tolerance in options.Tolerances.Distinct())
                specs.Add(new(CandidateKind.Exact, m, p, tolerance));
            if (options.TryFloat64)
                specs.Add(new(CandidateKind.Exact, m, p, options.Tolerances.Min(), GfmmDtype.Float64));
        }
        if (options.Train && canBeDense && (long)TrainingOptions.LeavesFor(n, sizes[0]) * sizes[0] <= TrainingProblem.MaxDenseOrder)
        {
            int p = sizes.Where(size => size <= new TrainingOptions().P).DefaultIfEmpty(sizes[0]).Max();
            int m = TrainingOptions.LeavesFor(n, p);
            if ((long)m * p <= TrainingProblem.MaxDenseOrder)
            {
                specs.Add(new(CandidateKind.Trained, m, p, ExactFactorization.DefaultTolerance));
                specs.Add(new(CandidateKind.ExactFineTuned, m, p, ExactFactorization.DefaultTolerance));
            }
        }
        return specs;
    }

    /// <summary>
    /// Runs the search. <paramref name="cancellation"/> (Ctrl+C) stops it like the budget does: the candidate being
    /// measured is dropped, the best measured so far is chosen and returned.
    /// </summary>
    public static TuneResult Run(TrainingProblem problem, TuneOptions options, IProgress<TuneProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        budget.CancelAfter(options.Budget);
        var context = new Measurement(problem, options);

        var peers = new List<PeerMeasurement>();
        var specs = Candidates(problem.N, problem.CanBeDense, options);
        foreach (var peer in context.Peers())
        {
            if (budget.IsCancellationRequested) break;
            progress?.Report(new(-1, specs.Count, peer.Name, "peer", clock.Elapsed.TotalSeconds));
            peers.Add(context.MeasurePeer(peer));
        }

        var measured = new List<CandidateMeasurement>();
        var models = new List<GfmmModel?>();
        int next = 0;
        for (; next < specs.Count && !budget.IsCancellationRequested; next++)
        {
            progress?.Report(new(next, specs.Count, specs[next].Label, "build", clock.Elapsed.TotalSeconds));
            try
            {
                var (measurement, model) = context.Measure(specs[next], budget.Token);
                measured.Add(measurement);
                models.Add(model);
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                break; // the candidate in progress is dropped
            }
        }

        int? choice = TuneSelection.Choose(measured, options.RhsPerBuild);
        return new TuneResult(measured, peers, choice, choice is { } c ? models[c] : null, specs.Skip(measured.Count).ToList(),
            BudgetExhausted: budget.IsCancellationRequested && !cancellation.IsCancellationRequested,
            Interrupted: cancellation.IsCancellationRequested, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The operator, its true solution and the timing rules shared by every candidate and peer.</summary>
    private sealed class Measurement
    {
        private readonly TrainingProblem problem;
        private readonly TuneOptions options;
        private readonly ILinearOperator operatorA;
        private readonly double normA; // ‖A‖∞ of the unscaled operator
        private readonly double[] trueX;
        private readonly double[] b;

        public Measurement(TrainingProblem problem, TuneOptions options)
        {
            this.problem = problem;
            this.options = options;
            int n = problem.N;
            double scale = problem.Scale;
            operatorA = LinearOperator.FromDelegate(n, (x, y) =>
            {
                problem.Apply(x, y);
                for (int i = 0; i < y.Length; i++) y[i] *= scale;
            });
            normA = scale * InfinityNorm(problem);
            var random = new Random(options.Seed);
            trueX = new double[n];
            for (int i = 0; i < n; i++) trueX[i] = (2 * random.NextDouble()) - 1;
            b = new double[n];
            operatorA.Apply(trueX, b);
        }

        public IReadOnlyList<PeerChoice> Peers()
        {
            double[]? dense = problem.Sparse is null ? problem.Matrix : null;
            var csr = problem.Sparse ?? DirectPeers.FromDense(dense!, problem.N);
            return DirectPeers.For(csr, dense);
        }

        public PeerMeasurement MeasurePeer(PeerChoice peer)
        {
            if (peer.Factor is null) return new(peer.Name, double.NaN, double.NaN, double.NaN, double.NaN, peer.Skipped);
            PeerSolver? solver = null;
            try
            {
                // The peer factors A / s: its answer to b / s is A⁻¹ b.
                var scaledB = b.Select(v => v / problem.Scale).ToArray();
                var x = new double[problem.N];
                double factorSeconds = Median(Math.Min(options.Repetitions, 3), () => { solver?.Dispose(); solver = peer.Factor(); });
                double solveSeconds = Median(options.Repetitions, () => solver!.Solve(scaledB, x));
                var (residual, _) = Residuals(x);
                return new(peer.Name, factorSeconds, solveSeconds, residual, RelativeError(x), null);
            }
            catch (Exception e) when (e is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
            {
                return new(peer.Name, double.NaN, double.NaN, double.NaN, double.NaN, e.Message);
            }
            finally
            {
                solver?.Dispose();
            }
        }

        public (CandidateMeasurement, GfmmModel?) Measure(CandidateSpec spec, CancellationToken cancellation)
        {
            var clock = Stopwatch.StartNew();
            GfmmModel model;
            try
            {
                model = Build(spec, cancellation);
            }
            catch (Exception e) when (e is SingularMatrixException or ArithmeticException or InvalidOperationException)
            {
                return (CandidateMeasurement.Failed(spec, clock.Elapsed.TotalSeconds, GenluFailure(e)), null);
            }
            double buildSeconds = clock.Elapsed.TotalSeconds;
            // The first build of a process includes JIT compilation: a quick one is timed again like the solves are.
            if (buildSeconds < QuickBuildSeconds)
                buildSeconds = Median(Math.Min(options.Repetitions, 3), () => Build(spec, cancellation));
            long bytes = model.ToUtf8Json().LongLength;

            GfmmSolver solver;
            try
            {
                solver = new GfmmSolver(model);
            }
            catch (SingularMatrixException e)
            {
                return (CandidateMeasurement.Failed(spec, buildSeconds, GenluFailure(e)), null);
            }
            int n = problem.N;
            var workspace = solver.CreateWorkspace();
            double solveSeconds;
            double[] x;
            if (model.Dtype == GfmmDtype.Float64)
            {
                // The plain solve in the model's own type: float64 vectors in and out.
                x = new double[n];
                var solution = x;
                solveSeconds = Median(options.Repetitions, () => solver.Solve(b, solution, workspace));
            }
            else
            {
                var floatB = Array.ConvertAll(b, v => (float)v);
                var floatX = new float[n];
                solveSeconds = Median(options.Repetitions, () => solver.Solve(floatB, floatX, workspace));
                x = Array.ConvertAll(floatX, v => (double)v);
            }
            var (residual, backward) = Residuals(x);
            double relativeError = RelativeError(x);
            cancellation.ThrowIfCancellationRequested();

            int? iterations = null;
            double? answer = null;
            if (residual <= options.Accuracy)
            {
                answer = solveSeconds;
            }
            else if (double.IsFinite(residual))
            {
                var gmres = new Gmres(operatorA, solver);
                var gmresOptions = new IterativeSolveOptions { Tolerance = options.Accuracy, MaxIterations = options.MaxGmresIterations };
                var refined = new double[n];
                var first = gmres.Solve(b, refined, gmresOptions);
                cancellation.ThrowIfCancellationRequested();
                if (first.Converged)
                {
                    iterations = first.Iterations;
                    answer = Median(Math.Min(options.Repetitions, 3), () => gmres.Solve(b, refined, gmresOptions));
                }
            }
            var measurement = new CandidateMeasurement(spec, buildSeconds, bytes, backward, residual, relativeError, solveSeconds, iterations, answer,
                answer is null ? $"GMRES did not reach {options.Accuracy:0e+0} in {options.MaxGmresIterations} iterations" : null);
            return (measurement, model);
        }

        private GfmmModel Build(CandidateSpec spec, CancellationToken cancellation)
        {
            if (spec.Kind == CandidateKind.Exact)
            {
                var built = Cli.FactorCommand.Build(problem, spec.M, spec.P, spec.Tolerance, cancellationToken: cancellation, dtype: spec.Dtype);
                return new GfmmModel(built.Model.L, built.Model.U, problem.Scale, built.Model.Provenance with { Operator = problem.ToProvenance() }, problem.N);
            }

            var trainingOptions = new TrainingOptions { M = spec.M, P = spec.P, Seed = options.Seed, MaxStepsPerBlock = options.TrainingStepsPerBlock, CheckInterval = Math.Min(100, options.TrainingStepsPerBlock) };
            using var trainer = new GfmmTrainer(problem, trainingOptions);
            GfmmModel? start = null;
            if (spec.Kind == CandidateKind.ExactFineTuned)
            {
                var exact = Cli.FactorCommand.Build(problem, spec.M, spec.P, spec.Tolerance, cancellationToken: cancellation);
                start = new GfmmModel(exact.Model.L, exact.Model.U, problem.Scale, exact.Model.Provenance with { Operator = problem.ToProvenance() }, problem.N);
                trainer.Network.Load(start);
            }
            if (trainer.Run(cancellation) == TrainingStatus.Cancelled)
                throw new OperationCanceledException(cancellation);
            var trained = ModelExport.Build(trainer, null, out _);
            // As in 'genlu train --init exact': keep the start when training did not lower ‖LU − A/s‖.
            if (start is not null && ModelExport.Metrics(start.L, start.U, problem, out _).Error2 <= trained.Provenance.Metrics!.Error2)
                return start;
            return trained;
        }

        private static string GenluFailure(Exception e) => Cli.GenluCommandLine.UserMessage(e);

        /// <summary>Relative residual ‖b − A x‖₂ / ‖b‖₂ and the normwise backward error ‖b − A x‖∞ / (‖A‖∞ ‖x‖∞ + ‖b‖∞).</summary>
        private (double Relative, double Backward) Residuals(double[] x)
        {
            var ax = new double[x.Length];
            operatorA.Apply(x, ax);
            double sumSquares = 0, bSquares = 0, rMax = 0, xMax = 0, bMax = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = b[i] - ax[i];
                sumSquares += r * r;
                bSquares += b[i] * b[i];
                rMax = Math.Max(rMax, Math.Abs(r));
                xMax = Math.Max(xMax, Math.Abs(x[i]));
                bMax = Math.Max(bMax, Math.Abs(b[i]));
            }
            if (x.Any(v => !double.IsFinite(v))) return (double.PositiveInfinity, double.PositiveInfinity);
            return (Math.Sqrt(sumSquares / bSquares), rMax / ((normA * xMax) + bMax));
        }

        private double RelativeError(double[] x)
        {
            double difference = 0, reference = 0;
            for (int i = 0; i < x.Length; i++)
            {
                difference += (x[i] - trueX[i]) * (x[i] - trueX[i]);
                reference += trueX[i] * trueX[i];
            }
            return Math.Sqrt(difference / reference);
        }

        /// <summary>
        /// The median time of one run (seconds): untimed warm-up runs for <see cref="TuneOptions.WarmUp"/> (at least
        /// two, so the JIT has compiled the hot path), then <paramref name="repetitions"/> samples, each of as many runs as fill
        /// <see cref="SampleSeconds"/> (a microsecond solve is not timed one call at a time).
        /// </summary>
        private double Median(int repetitions, Action run)
        {
            long warmUp = Stopwatch.GetTimestamp();
            int warmUpRuns = 0;
            while (warmUpRuns < 2 || Stopwatch.GetElapsedTime(warmUp) < options.WarmUp)
            {
                run();
                warmUpRuns++;
            }
            double single = Stopwatch.GetElapsedTime(warmUp).TotalSeconds / warmUpRuns;
            int inner = (int)Math.Clamp(Math.Ceiling(SampleSeconds / Math.Max(single, 1e-9)), 1, 10_000);
            var times = new double[repetitions];
            for (int i = 0; i < repetitions; i++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int r = 0; r < inner; r++) run();
                times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds / inner;
            }
            Array.Sort(times);
            return repetitions % 2 == 1 ? times[repetitions / 2] : (times[(repetitions / 2) - 1] + times[repetitions / 2]) / 2;
        }

        private const double QuickBuildSeconds = 0.25;
        private const double SampleSeconds = 0.002;

        private static double InfinityNorm(TrainingProblem problem)
        {
            double largest = 0;
            if (problem.Sparse is { } sparse)
            {
                for (int i = 0; i < sparse.Rows; i++)
                {
                    double sum = 0;
                    foreach (double v in sparse.RowValues(i)) sum += Math.Abs(v);
                    largest = Math.Max(largest, sum);
                }
                return largest;
            }
            var matrix = problem.Matrix;
            int n = problem.N;
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                foreach (double v in matrix.AsSpan(i * n, n)) sum += Math.Abs(v);
                largest = Math.Max(largest, sum);
            }
            return largest;
        }
    }
}

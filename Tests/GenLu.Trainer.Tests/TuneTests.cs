using GenLu.Structure;
using System.Text.Json.Nodes;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Solvers;
using GenLu.Trainer.Cli;
using GenLu.Trainer.Training;
using GenLu.Trainer.Tuning;

namespace GenLu.Tests;

/// <summary>
/// <c>genlu tune</c> on tiny operators: the choice is the brute-force minimum of the same measurements, the measurements
/// agree with an independent dense recomputation, the budget and Ctrl+C stop the search and keep the best so far, and
/// the JSON has its documented fields.
/// </summary>
public sealed class TuneTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-tune-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    private sealed record Outcome(int ExitCode, string Output, string Error);

    private static async Task<Outcome> Run(CancellationToken cancellation, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await GenluCommandLine.InvokeAsync(args, CliConsole.Plain(output, error), output, cancellation);
        return new Outcome(code, output.ToString(), error.ToString());
    }

    /// <summary>Fast settings: no training, short warm-up, three timings.</summary>
    private static readonly TuneOptions Quick = new()
    {
        Train = false,
        WarmUp = TimeSpan.FromMilliseconds(2),
        Repetitions = 3,
        BlockSizes = [4, 8, 16],
        Budget = TimeSpan.FromSeconds(60),
    };

    private static TrainingProblem Problem(string name, int size) => TrainingProblem.FromOperator(TestOperators.Create(name, size));

    [Theory]
    [InlineData("laplacian1d", 32, 1)]
    [InlineData("convdiff1d", 32, 1000)]
    [InlineData("laplacian2d", 6, 10)]
    public void The_choice_is_the_brute_force_minimum_of_the_measured_times(string name, int size, int rhsPerBuild)
    {
        var options = Quick with { RhsPerBuild = rhsPerBuild };
        var result = Tuner.Run(Problem(name, size), options);

        result.Candidates.Count.ShouldBe(Tuner.Candidates(Problem(name, size).N, true, options).Count);
        // Brute force: every candidate that reached the accuracy, total = build + K answers, the least total.
        var reached = result.Candidates.Select((c, i) => (c, i)).Where(t => t.c.AnswerSeconds is not null).ToList();
        reached.ShouldNotBeEmpty();
        int expected = reached.MinBy(t => t.c.BuildSeconds + (rhsPerBuild * t.c.AnswerSeconds!.Value)).i;
        result.Choice.ShouldBe(expected);
        foreach (var (c, _) in reached)
            (c.RelativeResidual <= options.Accuracy ? c.AnswerSeconds == c.SolveSeconds : c.GmresIterations is > 0).ShouldBeTrue(c.Spec.Label);
    }

    [Fact]
    public void The_reported_errors_match_a_dense_recomputation_with_the_chosen_model()
    {
        var problem = Problem("convdiff1d", 24);
        var result = Tuner.Run(problem, Quick);
        var chosen = result.Candidates[result.Choice!.Value];
        var model = result.ChosenModel!;
        model.N.ShouldBe(24);

        // The same true x as the tuner (its seed), b = A x in a plain dense loop, the plain solve in the model's own
        // type (the choice may be a float64 candidate), residuals by hand.
        var op = TestOperators.Create("convdiff1d", 24);
        var random = new Random(Quick.Seed);
        var trueX = Enumerable.Range(0, 24).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
        double[] b = DenseProduct(op, trueX);
        var solver = new GfmmSolver(model);
        double[] xd;
        if (model.Dtype == GfmmDtype.Float64)
        {
            xd = new double[24];
            solver.Solve(b, xd, solver.CreateWorkspace());
        }
        else
        {
            var x = new float[24];
            solver.Solve(Array.ConvertAll(b, v => (float)v), x);
            xd = Array.ConvertAll(x, v => (double)v);
        }
        double[] ax = DenseProduct(op, xd);
        double residual = Math.Sqrt(b.Zip(ax, (p, q) => (p - q) * (p - q)).Sum() / b.Sum(v => v * v));
        double error = Math.Sqrt(xd.Zip(trueX, (p, q) => (p - q) * (p - q)).Sum() / trueX.Sum(v => v * v));
        // Relative agreement, except at double rounding: a float64 choice's residual and error are 1e-16 … 2e-15, and b
        // formed in another order moves them by ε κ (κ ≈ 1e2 here), so there the slack is 1e-13 absolute.
        chosen.RelativeResidual.ShouldBe(residual, Math.Max(residual * 1e-6, 1e-13));
        chosen.RelativeError.ShouldBe(error, Math.Max(error * 1e-6, 1e-13));

        if (chosen.GmresIterations is null)
        {
            // The plain solve answered (a float64 choice can): its residual, recomputed above, meets the accuracy.
            residual.ShouldBeLessThanOrEqualTo(Quick.Accuracy);
            chosen.AnswerSeconds.ShouldBe(chosen.SolveSeconds);
            return;
        }

        // GMRES preconditioned by the chosen model reaches the accuracy in the reported number of iterations.
        var gmres = new Gmres(LinearOperator.FromDense(op.Matrix.Select(v => v * op.Scale).ToArray(), 24), new GfmmSolver(model));
        var refined = new double[24];
        var report = gmres.Solve(b, refined, new IterativeSolveOptions { Tolerance = Quick.Accuracy });
        report.Converged.ShouldBeTrue();
        report.Iterations.ShouldBe(chosen.GmresIterations.Value);
    }

    [Fact]
    public void Selection_is_the_least_build_plus_k_answers_on_synthetic_measurements()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var candidates = Enumerable.Range(0, 6).Select(i => new CandidateMeasurement(
                new CandidateSpec(CandidateKind.Exact, 2, 4 << i, 1e-12), random.NextDouble(), random.Next(1, 1000), 1e-8, 1e-7, 1e-6,
                random.NextDouble() * 1e-3, 2, random.Next(4) == 0 ? null : random.NextDouble() * 1e-2, null)).ToList();
            int k = random.Next(1, 500);
            var reached = candidates.Select((c, i) => (c, i)).Where(t => t.c.AnswerSeconds is not null).ToList();
            int? expected = reached.Count == 0 ? null
                : reached.OrderBy(t => t.c.BuildSeconds + (k * t.c.AnswerSeconds!.Value)).ThenBy(t => t.c.ModelBytes).ThenBy(t => t.i).First().i;
            TuneSelection.Choose(candidates, k).ShouldBe(expected);
        }
    }

    [Fact]
    public void The_pareto_front_holds_exactly_the_candidates_no_other_beats_in_time_and_error()
    {
        var random = new Random(11);
        var candidates = Enumerable.Range(0, 40).Select(i => new CandidateMeasurement(
            new CandidateSpec(CandidateKind.Exact, 2, 8, i), 0, 1, 0, 0, Math.Pow(10, -8 * random.NextDouble()), random.NextDouble(), null, null, null)).ToList();
        var front = TuneSelection.ParetoFront(candidates);
        foreach (var c in candidates)
        {
            bool dominated = candidates.Any(o => o != c && o.SolveSeconds <= c.SolveSeconds && o.RelativeError <= c.RelativeError
                && (o.SolveSeconds < c.SolveSeconds || o.RelativeError < c.RelativeError));
            front.Contains(c).ShouldBe(!dominated);
        }
    }

    [Fact]
    public void The_budget_stops_the_search_and_keeps_what_was_measured()
    {
        var problem = Problem("laplacian1d", 64);
        var options = Quick with { Budget = TimeSpan.FromMilliseconds(300), WarmUp = TimeSpan.FromMilliseconds(150) };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = Tuner.Run(problem, options);
        clock.Stop();

        result.BudgetExhausted.ShouldBeTrue();
        result.Interrupted.ShouldBeFalse();
        result.NotTried.ShouldNotBeEmpty();
        (result.Candidates.Count + result.NotTried.Count).ShouldBe(Tuner.Candidates(64, true, options).Count);
        // One candidate's measurement may finish after the deadline (a warm-up of 150 ms per timing, a few timings).
        clock.Elapsed.TotalSeconds.ShouldBeLessThan(3);
    }

    [Fact]
    public void A_float64_candidate_answers_an_ill_conditioned_kernel_with_its_plain_solve()
    {
        // cond ≈ 1e8: the float32 plain solve has no correct digit and misses the residual, the float64 one meets it.
        var problem = TrainingProblem.FromOperator(TestOperators.RbfKernel(64, lengthScale: 0.2, nugget: 1e-7));
        var options = Quick with { BlockSizes = [16], Tolerances = [1e-12], Accuracy = 1e-8 };
        var result = Tuner.Run(problem, options);

        var single = result.Candidates.Single(c => c.Spec.Kind == CandidateKind.Exact && c.Spec.Dtype == GfmmDtype.Float32);
        var wide = result.Candidates.Single(c => c.Spec.Dtype == GfmmDtype.Float64);
        wide.Spec.Label.ShouldContain("float64");
        wide.RelativeResidual.ShouldBeLessThan(1e-8);
        wide.GmresIterations.ShouldBeNull(); // answered by the plain solve
        wide.AnswerSeconds.ShouldBe(wide.SolveSeconds);
        single.RelativeResidual.ShouldBeGreaterThan(1e-8);
        wide.RelativeError.ShouldBeLessThan(single.RelativeError / 10); // the far field is truncated at P = 16: κ still shows
    }

    [Fact]
    public void Cancelling_keeps_the_best_candidate_measured_so_far()
    {
        using var cancellation = new CancellationTokenSource();
        var progress = new Reporter(p => { if (p.Index == 2) cancellation.Cancel(); });
        var result = Tuner.Run(Problem("laplacian1d", 32), Quick, progress, cancellation.Token);

        result.Interrupted.ShouldBeTrue();
        result.BudgetExhausted.ShouldBeFalse();
        result.Candidates.Count.ShouldBe(2); // the third was cancelled while building
        result.Choice.ShouldBe(TuneSelection.Choose(result.Candidates, 1));
        result.ChosenModel.ShouldNotBeNull();
    }

    [Fact]
    public async Task Ctrl_C_before_any_candidate_writes_nothing_and_exits_130()
    {
        var outcome = await Run(new CancellationToken(canceled: true), "tune", "--operator", "laplacian1d", "--n", "16", "--train-steps", "0", "--out", PathOf("t.gfmm.json"));
        outcome.ExitCode.ShouldBe(GenluCommandLine.InterruptedExitCode);
        outcome.Error.ShouldContain("genlu tune: interrupted");
        File.Exists(PathOf("t.gfmm.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task Json_lists_every_candidate_the_choice_the_peers_and_the_notes_and_the_model_is_written()
    {
        var outcome = await Run(CancellationToken.None, "tune", "--operator", "laplacian2d", "--grid", "6", "--train-steps", "0", "--warm-up", "0.002",
            "--repetitions", "3", "--rhs-per-build", "5", "--out", PathOf("tuned.gfmm.json"), "--plots", PathOf("plots"), "--json");
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);
        var json = JsonNode.Parse(outcome.Output)!.AsObject();
        json["operator"]!.GetValue<string>().ShouldBe("laplacian2d");
        json["n"]!.GetValue<int>().ShouldBe(36);
        json["accuracy"]!.GetValue<double>().ShouldBe(1e-10);
        json["rhs_per_build"]!.GetValue<int>().ShouldBe(5);
        var candidates = json["candidates"]!.AsArray();
        candidates.Count.ShouldBeGreaterThan(0);
        foreach (string field in new[] { "label", "kind", "m", "p", "tolerance", "build_seconds", "model_bytes", "backward_error", "relative_residual",
                     "relative_error", "solve_seconds", "gmres_iterations", "answer_seconds", "time_to_answers_seconds", "failure" })
            candidates[0]!.AsObject().ContainsKey(field).ShouldBeTrue(field);
        int choice = json["choice"]!.GetValue<int>();
        choice.ShouldBeInRange(0, candidates.Count - 1);
        double chosenTime = candidates[choice]!["time_to_answers_seconds"]!.GetValue<double>();
        foreach (var c in candidates)
            if (c!["time_to_answers_seconds"] is { } t) t.GetValue<double>().ShouldBeGreaterThanOrEqualTo(chosenTime);
        json["model"]!.GetValue<string>().ShouldBe(PathOf("tuned.gfmm.json"));
        foreach (var peer in json["peers"]!.AsArray())
            foreach (string field in new[] { "name", "factor_seconds", "solve_seconds", "relative_residual", "relative_error", "time_to_answers_seconds", "skipped" })
                peer!.AsObject().ContainsKey(field).ShouldBeTrue(field);
        json["notes"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldContain(TuneCommand.Float64Note);
        foreach (string flag in new[] { "budget_exhausted", "interrupted" }) json[flag]!.GetValue<bool>().ShouldBeFalse();

        var model = GfmmModel.Load(PathOf("tuned.gfmm.json"));
        (model.N, model.P).ShouldBe((36, candidates[choice]!["p"]!.GetValue<int>()));
        File.Exists(Path.Combine(PathOf("plots"), TunePlots.FileName)).ShouldBeTrue();
    }

    [Fact]
    public async Task The_table_marks_the_choice_and_names_a_faster_peer_or_none()
    {
        var outcome = await Run(CancellationToken.None, "tune", "--operator", "laplacian1d", "--n", "32", "--train-steps", "0", "--warm-up", "0.002",
            "--out", PathOf("l.gfmm.json"));
        outcome.ExitCode.ShouldBe(0);
        outcome.Output.ShouldContain("►");
        outcome.Output.ShouldContain("Chosen: ");
        outcome.Output.ShouldContain(TuneCommand.Float64Note);
        File.Exists(PathOf("l.gfmm.json")).ShouldBeTrue();
    }

    [Theory]
    [InlineData("120s", 120)]
    [InlineData("5m", 300)]
    [InlineData("0.5h", 1800)]
    [InlineData("90", 90)]
    public void Budgets_read_seconds_minutes_and_hours(string text, double seconds) =>
        TuneCommand.ParseBudget(text).TotalSeconds.ShouldBe(seconds);

    [Theory]
    [InlineData(new[] { "--budget", "5x" }, "--budget '5x': the unit must be s, m or h.")]
    [InlineData(new[] { "--budget", "-3s" }, "--budget '-3s' is not a positive duration such as 120s or 5m.")]
    [InlineData(new[] { "--accuracy", "2" }, "--accuracy must be in (0, 1), not 2.")]
    [InlineData(new[] { "--rhs-per-build", "0" }, "--rhs-per-build must be >= 1, not 0.")]
    [InlineData(new[] { "--warm-up", "-1" }, "--warm-up must be in 0..60 seconds, not -1.")]
    public async Task Bad_options_are_one_line_errors(string[] extra, string message)
    {
        var outcome = await Run(CancellationToken.None, ["tune", "--operator", "laplacian1d", "--n", "16", .. extra]);
        outcome.ExitCode.ShouldBe(1);
        outcome.Error.Trim().ShouldBe($"genlu tune: {message}");
    }

    [Fact]
    public async Task Without_an_operator_it_says_what_to_give()
    {
        var outcome = await Run(CancellationToken.None, "tune");
        outcome.ExitCode.ShouldBe(1);
        outcome.Error.Trim().ShouldBe("genlu tune: give the operator to tune for: --operator NAME or --matrix FILE.");
    }

    private static double[] DenseProduct(OperatorMatrix op, double[] x)
    {
        var y = new double[op.N];
        for (int i = 0; i < op.N; i++)
            for (int j = 0; j < op.N; j++)
                y[i] += op.Scale * op.Matrix[(i * op.N) + j] * x[j];
        return y;
    }

    private sealed class Reporter(Action<TuneProgress> report) : IProgress<TuneProgress>
    {
        public void Report(TuneProgress value) => report(value);
    }
}

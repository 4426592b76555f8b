using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenLu.Trainer.Tuning;
using Spectre.Console;

namespace GenLu.Trainer.Cli;

/// <summary>
/// <c>genlu tune</c>: measures candidate models for an operator on this machine (block size, truncation tolerance, exact,
/// trained, exact + fine-tuned), picks the least time to the requested answers at the requested accuracy, writes it,
/// and says so when a direct peer (LAPACK, CHOLMOD, UMFPACK) available here would be faster.
/// </summary>
internal static class TuneCommand
{
    /// <summary>Said in every output: what the search cannot try yet.</summary>
    public const string Float64Note = "float64 candidates: exact factors with float64 weights at the tightest tolerance (2x bytes, 1.6x solve time).";

    public const string GeneratedNote = "solve times are the Runtime's; the generated class of the same model is measured by the benchmarks (GeneratedSolveBenchmarks), not here.";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(CliConsole console)
    {
        var problem = new ProblemOptions();
        var accuracy = new Option<double>("--accuracy") { Description = "The relative residual ‖b − A x‖₂ / ‖b‖₂ an answer must reach.", DefaultValueFactory = _ => 1e-10 };
        var rhsPerBuild = new Option<int>("--rhs-per-build") { Description = "Right-hand sides solved per build: the build's time is shared by them.", DefaultValueFactory = _ => 1 };
        var budget = new Option<string>("--budget") { Description = "Wall-clock limit of the search: seconds, or a number with s, m or h (e.g. 120s, 5m).", DefaultValueFactory = _ => "120s" };
        var trainSteps = new Option<int>("--train-steps") { Description = "Step cap per block of the trained and exact + fine-tuned candidates; 0 leaves them out.", DefaultValueFactory = _ => new TuneOptions().TrainingStepsPerBlock };
        var repetitions = new Option<int>("--repetitions") { Description = "Timed runs of each solve after a warm-up (the median is reported).", DefaultValueFactory = _ => new TuneOptions().Repetitions };
        var warmUp = new Option<double>("--warm-up") { Description = "Seconds of untimed runs before each timing (time for the JIT to optimize the solve).", DefaultValueFactory = _ => new TuneOptions().WarmUp.TotalSeconds };
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the chosen model (default: <operator>.gfmm.json)." };
        var plots = new Option<DirectoryInfo?>("--plots") { Description = $"Directory for {TunePlots.FileName}, the Pareto front of solve time against error." };
        var json = new Option<bool>("--json") { Description = "Print the measurements and the choice as JSON instead of tables." };

        var command = new Command("tune", "Measure candidate models for the operator here and keep the fastest to an answer at the accuracy.");
        problem.AddTo(command);
        foreach (Option option in new Option[] { accuracy, rhsPerBuild, budget, trainSteps, repetitions, warmUp, output, plots, json })
            command.Options.Add(option);

        command.SetAction((result, cancellation) => Task.Run(() => GenluCommandLine.Guarded(console, "tune", () =>
        {
            double warmUpSeconds = result.GetValue(warmUp);
            if (!(warmUpSeconds >= 0 && warmUpSeconds <= 60)) throw new CliException($"--warm-up must be in 0..60 seconds, not {warmUpSeconds}.");
            var options = new TuneOptions
            {
                WarmUp = TimeSpan.FromSeconds(warmUpSeconds),
                Accuracy = result.GetValue(accuracy),
                RhsPerBuild = result.GetValue(rhsPerBuild),
                Budget = ParseBudget(result.GetValue(budget)!),
                Train = result.GetValue(trainSteps) > 0,
                TrainingStepsPerBlock = Math.Max(1, result.GetValue(trainSteps)),
                Repetitions = result.GetValue(repetitions),
            };
            if (!(options.Accuracy > 0 && options.Accuracy < 1)) throw new CliException($"--accuracy must be in (0, 1), not {options.Accuracy}.");
            if (options.RhsPerBuild < 1) throw new CliException($"--rhs-per-build must be >= 1, not {options.RhsPerBuild}.");
            if (result.GetValue(trainSteps) < 0) throw new CliException($"--train-steps must be >= 0, not {result.GetValue(trainSteps)}.");
            if (options.Repetitions < 1) throw new CliException($"--repetitions must be >= 1, not {options.Repetitions}.");
            if (!problem.IsGiven(result)) throw new CliException("give the operator to tune for: --operator NAME or --matrix FILE.");
            string? requested = result.GetValue(output)?.FullName;
            if (requested is not null && !Directory.Exists(Path.GetDirectoryName(requested)))
                throw new CliException($"--out: directory '{Path.GetDirectoryName(requested)}' does not exist.");
            string? plotDirectory = result.GetValue(plots)?.FullName;

            var trainingProblem = problem.ResolveAnyOrder(result);
            string outputPath = requested ?? Path.GetFullPath(trainingProblem.Name + ".gfmm.json");
            bool asJson = result.GetValue(json);
            if (!asJson)
                console.Out.WriteLine($"Tuning for {trainingProblem.Name} (N = {trainingProblem.N}): answers at ‖b − A x‖/‖b‖ ≤ {options.Accuracy:0.##e+0}, " +
                    $"{options.RhsPerBuild} per build, budget {options.Budget.TotalSeconds:0.#} s.");
            var progress = asJson ? null : new SynchronousProgress<TuneProgress>(p => console.Out.WriteLine(p.Index < 0
                ? $"  [{p.ElapsedSeconds,6:0.0} s] peer {p.Label}"
                : $"  [{p.ElapsedSeconds,6:0.0} s] candidate {p.Index + 1}/{p.Count}: {p.Label}"));

            var tuned = Tuner.Run(trainingProblem, options, progress, cancellation);
            if (tuned.ChosenModel is { } chosen)
                chosen.Save(outputPath);
            if (plotDirectory is not null && tuned.Candidates.Count > 0)
            {
                Directory.CreateDirectory(plotDirectory);
                TunePlots.SavePareto(tuned, plotDirectory);
            }

            if (asJson)
                console.WriteVerbatim(Json(trainingProblem.Name, trainingProblem.N, options, tuned, tuned.ChosenModel is null ? null : outputPath).ToJsonString(Indented));
            else
                Report(console, options, tuned, tuned.ChosenModel is null ? null : outputPath);

            if (tuned.Interrupted)
            {
                console.Error.WriteLine(tuned.ChosenModel is null
                    ? "genlu tune: interrupted before any candidate reached the accuracy; nothing written."
                    : $"genlu tune: interrupted; the best candidate measured so far was written to {outputPath}.");
                return GenluCommandLine.InterruptedExitCode;
            }
            if (tuned.ChosenModel is null)
                throw new CliException($"no candidate reached ‖b − A x‖/‖b‖ ≤ {options.Accuracy:0.##e+0} within the budget; nothing written.");
            return 0;
        }), CancellationToken.None));
        return command;
    }

    /// <summary>A duration: plain seconds, or a number followed by s, m or h.</summary>
    internal static TimeSpan ParseBudget(string text)
    {
        string trimmed = text.Trim();
        double unit = 1;
        if (trimmed.Length > 0 && char.IsLetter(trimmed[^1]))
        {
            unit = char.ToLowerInvariant(trimmed[^1]) switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => throw new CliException($"--budget '{text}': the unit must be s, m or h."),
            };
            trimmed = trimmed[..^1];
        }
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0) || !double.IsFinite(value * unit) || value * unit > TimeSpan.MaxValue.TotalSeconds / 2)
            throw new CliException($"--budget '{text}' is not a positive duration such as 120s or 5m.");
        return TimeSpan.FromSeconds(value * unit);
    }

    private static void Report(CliConsole console, TuneOptions options, TuneResult tuned, string? path)
    {
        int k = options.RhsPerBuild;
        var table = new Table().AddColumns("", "candidate", "build (ms)", "model (KiB)", "backward err", "‖r‖/‖b‖", "rel. error", "solve (µs)", "GMRES it", "answer (µs)", $"build + {k} answers (ms)");
        for (int i = 0; i < tuned.Candidates.Count; i++)
        {
            var c = tuned.Candidates[i];
            table.AddRow(i == tuned.Choice ? "►" : "", Markup.Escape(c.Spec.Label), $"{c.BuildSeconds * 1e3:0.000}", c.ModelBytes > 0 ? $"{c.ModelBytes / 1024.0:0.0}" : "-",
                Sci(c.BackwardError), Sci(c.RelativeResidual), Sci(c.RelativeError), Micro(c.SolveSeconds),
                c.GmresIterations?.ToString(CultureInfo.InvariantCulture) ?? (c.AnswerSeconds is null ? "-" : "0"),
                c.AnswerSeconds is { } answer ? Micro(answer) : "-", c.TimeToAnswer(k) is { } total ? $"{total * 1e3:0.000}" : Markup.Escape(c.Failure ?? "-"));
        }
        console.Out.Write(table);
        if (tuned.Peers.Count > 0)
        {
            var peers = new Table().AddColumns("peer (double)", "factor (ms)", "solve (µs)", "‖r‖/‖b‖", "rel. error", $"factor + {k} solves (ms)");
            foreach (var p in tuned.Peers)
            {
                if (p.Skipped is { } reason) { peers.AddRow(Markup.Escape(p.Name), Markup.Escape($"skipped: {reason}"), "", "", "", ""); continue; }
                peers.AddRow(Markup.Escape(p.Name), $"{p.FactorSeconds * 1e3:0.000}", Micro(p.SolveSeconds), Sci(p.RelativeResidual), Sci(p.RelativeError),
                    p.TimeToAnswer(k, options.Accuracy) is { } total ? $"{total * 1e3:0.000}" : "not at the accuracy");
            }
            console.Out.Write(peers);
        }
        foreach (string line in Conclusions(options, tuned, path))
            console.Out.WriteLine(line);
    }

    /// <summary>The closing lines: the choice, a faster peer if there is one, what was not tried, and the two standing notes.</summary>
    internal static IEnumerable<string> Conclusions(TuneOptions options, TuneResult tuned, string? path)
    {
        int k = options.RhsPerBuild;
        if (tuned.Choice is { } choice)
        {
            var c = tuned.Candidates[choice];
            yield return $"Chosen: {c.Spec.Label}: {c.TimeToAnswer(k)!.Value * 1e3:0.000} ms for the build and {k} answer(s) at {options.Accuracy:0.##e+0}" +
                $"{(c.GmresIterations is { } it ? $" (GMRES, {it} iterations each)" : " (plain solve)")}; written to {path}.";
        }
        else
        {
            yield return $"No candidate reached {options.Accuracy:0.##e+0}.";
        }
        if (tuned.BetterPeer(options) is { } peer)
            yield return $"A peer beats every candidate: {peer.Name} factors in {peer.FactorSeconds * 1e3:0.000} ms and solves in {peer.SolveSeconds * 1e6:0.0} µs " +
                $"(‖r‖/‖b‖ {peer.RelativeResidual:0.0e+00}): {peer.TimeToAnswer(k, options.Accuracy)!.Value * 1e3:0.000} ms for {k} answer(s)" +
                (tuned.Choice is { } chosen ? $", {tuned.Candidates[chosen].TimeToAnswer(k)!.Value / peer.TimeToAnswer(k, options.Accuracy)!.Value:0.0}x faster than the choice." : ".");
        if (tuned.NotTried.Count > 0)
            yield return $"{(tuned.Interrupted ? "Interrupted" : "Budget reached")} after {tuned.ElapsedSeconds:0.0} s: not tried: {string.Join(", ", tuned.NotTried.Select(s => s.Label))}.";
        yield return $"Note: {Float64Note}";
        yield return $"Note: {GeneratedNote}";
    }

    internal static JsonObject Json(string name, int n, TuneOptions options, TuneResult tuned, string? path)
    {
        int k = options.RhsPerBuild;
        var candidates = new JsonArray();
        foreach (var c in tuned.Candidates)
        {
            candidates.Add(new JsonObject
            {
                ["label"] = c.Spec.Label,
                ["kind"] = c.Spec.Kind switch { CandidateKind.Exact => "exact", CandidateKind.Trained => "trained", _ => "exact+fine-tune" },
                ["m"] = c.Spec.M,
                ["p"] = c.Spec.P,
                ["tolerance"] = c.Spec.Tolerance,
                ["build_seconds"] = Number(c.BuildSeconds),
                ["model_bytes"] = c.ModelBytes,
                ["backward_error"] = Number(c.BackwardError),
                ["relative_residual"] = Number(c.RelativeResidual),
                ["relative_error"] = Number(c.RelativeError),
                ["solve_seconds"] = Number(c.SolveSeconds),
                ["gmres_iterations"] = c.GmresIterations,
                ["answer_seconds"] = c.AnswerSeconds is { } a ? Number(a) : null,
                ["time_to_answers_seconds"] = c.TimeToAnswer(k) is { } t ? Number(t) : null,
                ["failure"] = c.Failure,
            });
        }
        var peers = new JsonArray();
        foreach (var p in tuned.Peers)
        {
            peers.Add(new JsonObject
            {
                ["name"] = p.Name,
                ["factor_seconds"] = Number(p.FactorSeconds),
                ["solve_seconds"] = Number(p.SolveSeconds),
                ["relative_residual"] = Number(p.RelativeResidual),
                ["relative_error"] = Number(p.RelativeError),
                ["time_to_answers_seconds"] = p.TimeToAnswer(k, options.Accuracy) is { } t ? Number(t) : null,
                ["skipped"] = p.Skipped,
            });
        }
        return new JsonObject
        {
            ["operator"] = name,
            ["n"] = n,
            ["accuracy"] = options.Accuracy,
            ["rhs_per_build"] = k,
            ["budget_seconds"] = options.Budget.TotalSeconds,
            ["elapsed_seconds"] = tuned.ElapsedSeconds,
            ["candidates"] = candidates,
            ["choice"] = tuned.Choice,
            ["model"] = path,
            ["peers"] = peers,
            ["better_peer"] = tuned.BetterPeer(options)?.Name,
            ["not_tried"] = new JsonArray(tuned.NotTried.Select(s => (JsonNode?)JsonValue.Create(s.Label)).ToArray()),
            ["budget_exhausted"] = tuned.BudgetExhausted,
            ["interrupted"] = tuned.Interrupted,
            ["notes"] = new JsonArray(JsonValue.Create(Float64Note), JsonValue.Create(GeneratedNote)),
        };
    }

    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string Sci(double value) => double.IsFinite(value) ? value.ToString("0.0e+00", CultureInfo.InvariantCulture) : "-";

    private static string Micro(double seconds) => double.IsFinite(seconds) ? (seconds * 1e6).ToString("0.0", CultureInfo.InvariantCulture) : "-";

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

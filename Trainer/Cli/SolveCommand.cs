using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.IO;
using GenLu.Kernels;
using GenLu.Operators;
using GenLu.Solvers;
using Spectre.Console;

namespace GenLu.Trainer.Cli;

/// <summary>
/// <c>genlu solve</c>: <c>A x = b</c> for the right-hand sides of a file. Given the operator (<c>--matrix</c> or
/// <c>--operator</c>), GMRES preconditioned by the model (or plain iterative refinement) solves in double against the
/// unscaled A and reports iterations and the true relative residual of every right-hand side; without it, the model's
/// structured solve alone (in the model's dtype: float for a float32 model, double for a float64 one).
/// </summary>
internal static class SolveCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Right-hand sides listed one by one in the table (all of them are in the JSON).</summary>
    private const int TableRows = 20;

    public static Command Create(CliConsole console)
    {
        var defaults = new IterativeSolveOptions();
        var modelArgument = new Argument<FileInfo>("model") { Description = "A *.gfmm.json model file." };
        var rhs = new Option<FileInfo>("--rhs") { Description = "Right-hand sides: a .npy (1-D: one vector of length N; 2-D: N x k, one per column) or a Matrix Market .mtx (N x k).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Solutions, a .npy of the same shape as --rhs: float64 when refined or when the model is float64, float32 for the plain structured solve of a float32 model.", Required = true };
        var problem = new ProblemOptions();
        var refine = new Option<string?>("--refine") { Description = "gmres (GMRES preconditioned by the model), refinement (iterative refinement) or none (the plain structured solve). Default: gmres when --matrix or --operator gives A, else none." };
        var tolerance = new Option<double>("--tolerance") { Description = "Stop refining at ‖b − A x‖₂ / ‖b‖₂ ≤ this.", DefaultValueFactory = _ => defaults.Tolerance };
        var maxIterations = new Option<int>("--max-iterations") { Description = "Refinement iterations (model solves) per right-hand side at most.", DefaultValueFactory = _ => defaults.MaxIterations };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON instead of a table." };

        var command = new Command("solve", "Solve A x = b with a model; refined in double against A when --matrix or --operator gives it.");
        command.Arguments.Add(modelArgument);
        command.Options.Add(rhs);
        command.Options.Add(output);
        problem.AddTo(command);
        foreach (Option option in new Option[] { refine, tolerance, maxIterations, json })
            command.Options.Add(option);

        command.SetAction(result => GenluCommandLine.Guarded(console, "solve", () =>
        {
            double tol = result.GetValue(tolerance);
            if (!(tol >= 0) || double.IsInfinity(tol)) throw new CliException($"--tolerance must be finite and >= 0, not {tol}.");
            int cap = result.GetValue(maxIterations);
            if (cap < 1) throw new CliException($"--max-iterations must be >= 1, not {cap}.");
            string outputPath = result.GetValue(output)!.FullName;
            RequireNpyTarget(outputPath);
            var file = result.GetValue(modelArgument)!;
            if (!file.Exists) throw new CliException($"model file '{file.FullName}' does not exist.");

            var model = GfmmModel.Load(file.FullName);
            var rightHandSides = ReadRightHandSides(result.GetValue(rhs)!.FullName, model.N);
            var a = problem.ResolveOperator(result, model.N);
            var method = ParseMethod(result.GetValue(refine), a is not null);

            var solver = new GfmmSolver(model);
            var solved = Solve(solver, a, method, rightHandSides, new IterativeSolveOptions { Tolerance = tol, MaxIterations = cap, RefineToWorkingPrecision = true });
            NpyFile.WriteArray(outputPath, solved.Solutions);

            string? recorded = a is null ? RecordedOperatorHint(model) : null;
            var figures = Figures(file.Name, model, method, solved, outputPath, recorded);
            if (result.GetValue(json))
                console.WriteVerbatim(figures.ToJsonString(Indented));
            else
                Report(console, file.Name, model, method, solved, outputPath, recorded, tol);
            return 0;
        }));
        return command;
    }

    /// <summary>How the solutions are computed.</summary>
    internal enum SolveMethod
    {
        /// <summary>The model's structured solve alone.</summary>
        None,

        /// <summary>Flexible GMRES on A, right-preconditioned by the model.</summary>
        Gmres,

        /// <summary>Iterative refinement on A with the model as the approximate inverse.</summary>
        Refinement,
    }

    /// <summary>The right-hand sides as columns of an N x k row-major matrix, and whether the file held one vector.</summary>
    private sealed record RightHandSides(double[] Values, int Count, bool IsVector);

    /// <summary>One right-hand side's outcome: null iterations for the plain solve; the residual only when A is known.</summary>
    private sealed record ColumnOutcome(int? Iterations, double? RelativeResidual, bool? Converged);

    private sealed record SolveOutcome(NdArray Solutions, IReadOnlyList<ColumnOutcome> Columns);

    private static SolveMethod ParseMethod(string? text, bool operatorGiven)
    {
        var method = text?.ToLowerInvariant() switch
        {
            null => operatorGiven ? SolveMethod.Gmres : SolveMethod.None,
            "gmres" => SolveMethod.Gmres,
            "refinement" => SolveMethod.Refinement,
            "none" => SolveMethod.None,
            _ => throw new CliException($"--refine must be gmres, refinement or none, not '{text}'."),
        };
        if (method != SolveMethod.None && !operatorGiven)
            throw new CliException($"--refine {text} needs the operator A: give --matrix FILE or --operator NAME (or use --refine none).");
        return method;
    }

    private static void RequireNpyTarget(string path)
    {
        if (!string.Equals(Path.GetExtension(path), ".npy", StringComparison.OrdinalIgnoreCase))
            throw new CliException($"--out: '{path}' must be a .npy file.");
        if (Directory.Exists(path)) throw new CliException($"--out: '{path}' is a directory; give the path of a file.");
        string directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory)) throw new CliException($"--out: directory '{directory}' does not exist.");
    }

    private static RightHandSides ReadRightHandSides(string path, int n)
    {
        if (!File.Exists(path)) throw new CliException($"--rhs: file '{path}' does not exist.");
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".npy":
                var array = NpyFile.ReadArray(path);
                if (array.Rank == 0) throw new CliException($"--rhs: '{path}' holds a scalar; give a vector of length {n} or an {n} x k matrix.");
                if (array.Shape[0] != n)
                    throw new CliException($"--rhs: '{path}' has shape {array.ShapeText}, but the model has N = {n}: the right-hand sides need {n} rows.");
                return new RightHandSides(array.Values, array.Rank == 1 ? 1 : array.Shape[1], array.Rank == 1);
            case ".mtx":
                var header = MatrixMarket.ReadHeader(path);
                if (header.Rows != n)
                    throw new CliException($"--rhs: '{path}' is {header.Rows} x {header.Columns}, but the model has N = {n}: the right-hand sides need {n} rows.");
                var matrix = MatrixMarket.Read(path);
                return new RightHandSides(matrix.Values, matrix.Cols, IsVector: false);
            case var other:
                throw new CliException($"--rhs: '{path}' has the unknown extension '{other}'; use .npy or .mtx.");
        }
    }

    private static SolveOutcome Solve(GfmmSolver solver, ILinearOperator? a, SolveMethod method, RightHandSides rhs, IterativeSolveOptions options)
    {
        int n = rhs.Values.Length / rhs.Count, k = rhs.Count;
        var solutions = new double[rhs.Values.Length];
        var columns = new List<ColumnOutcome>(k);
        double[] b = new double[n], x = new double[n], product = new double[n];
        var gmres = method == SolveMethod.Gmres ? new Gmres(a!, solver) : null;
        var refinement = method == SolveMethod.Refinement ? new IterativeRefinement(a!, solver) : null;
        for (int j = 0; j < k; j++)
        {
            for (int i = 0; i < n; i++) b[i] = rhs.Values[(i * k) + j];
            ColumnOutcome outcome;
            if (method == SolveMethod.None)
            {
                ((IPreconditioner)solver).Apply(b, x);
                // A float32 model's plain solve is a float solve: its solution is stored as the float32 it is.
                if (solver.Dtype == GfmmDtype.Float32)
                    for (int i = 0; i < n; i++) x[i] = (float)x[i];
                outcome = new ColumnOutcome(null, a is null ? null : RelativeResidual(a, b, x, product), null);
            }
            else
            {
                var solved = gmres is not null ? gmres.Solve(b, x, options) : refinement!.Solve(b, x, options);
                outcome = new ColumnOutcome(solved.Iterations, solved.RelativeResidual, solved.Converged);
            }

            if (!Level1.AllFinite<double>(x))
                throw new CliException($"the solution of right-hand side {j} is not finite (the {(method == SolveMethod.None ? "structured solve" : "refinement")} diverged); nothing was written.");
            for (int i = 0; i < n; i++) solutions[(i * k) + j] = x[i];
            columns.Add(outcome);
        }

        var type = method == SolveMethod.None && solver.Dtype == GfmmDtype.Float32 ? NdArrayType.Float32 : NdArrayType.Float64;
        int[] shape = rhs.IsVector ? [n] : [n, k];
        return new SolveOutcome(new NdArray(type, shape, solutions), columns);
    }

    /// <summary>‖b − A x‖₂ / ‖b‖₂ (0 for b = 0).</summary>
    private static double RelativeResidual(ILinearOperator a, ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> scratch)
    {
        a.Apply(x, scratch);
        double normB = Level1.Norm2(b);
        return normB == 0 ? 0 : Level1.Distance(b, (ReadOnlySpan<double>)scratch) / normB;
    }

    /// <summary>The options that would give the operator the model records, if it records one.</summary>
    private static string? RecordedOperatorHint(GfmmModel model)
    {
        var recorded = model.Provenance.Operator;
        if (recorded?.MatrixFile is { } path) return $"--matrix {path}";
        if (recorded?.Name is not { } name) return null;
        string size = recorded.N is not { } n ? ""
            : TestOperators.All.Any(d => d.IsGrid && string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase)) ? $" --grid {(int)Math.Round(Math.Sqrt(n))}"
            : $" --n {n}";
        string parameters = string.Concat(recorded.Parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $" --param {p.Key}={p.Value:R}")));
        return $"--operator {name}{size}{parameters}";
    }

    private static string MethodName(SolveMethod method) => method.ToString().ToLowerInvariant();

    private static string DtypeName(NdArray solutions) => solutions.Type == NdArrayType.Float32 ? "float32" : "float64";

    private static JsonObject Figures(string modelName, GfmmModel model, SolveMethod method, SolveOutcome solved, string outputPath, string? recorded)
    {
        var columns = new JsonArray();
        for (int j = 0; j < solved.Columns.Count; j++)
        {
            var c = solved.Columns[j];
            columns.Add(new JsonObject
            {
                ["index"] = j,
                ["iterations"] = c.Iterations,
                ["relative_residual"] = c.RelativeResidual,
                ["converged"] = c.Converged,
            });
        }

        var figures = new JsonObject
        {
            ["model"] = modelName,
            ["n"] = model.N,
            ["right_hand_sides"] = solved.Columns.Count,
            ["method"] = MethodName(method),
            ["output"] = outputPath,
            ["output_dtype"] = DtypeName(solved.Solutions),
            ["output_shape"] = new JsonArray(solved.Solutions.Shape.ToArray().Select(e => (JsonNode)e).ToArray()),
            ["solutions"] = columns,
        };
        if (recorded is not null) figures["recorded_operator"] = recorded;
        return figures;
    }

    private static void Report(CliConsole console, string modelName, GfmmModel model, SolveMethod method, SolveOutcome solved,
        string outputPath, string? recorded, double tolerance)
    {
        var summary = new Table().AddColumn("").AddColumn("").HideHeaders().Title(Markup.Escape($"{modelName} (N = {model.N})"));
        summary.AddRow("method", method == SolveMethod.None ? $"plain structured solve ({(model.Dtype == GfmmDtype.Float64 ? "double" : "float")})" : $"{MethodName(method)}, preconditioned by the model, tolerance {tolerance:0.0e+00}");
        summary.AddRow("right-hand sides", solved.Columns.Count.ToString());
        summary.AddRow("output", Markup.Escape($"{outputPath} ({DtypeName(solved.Solutions)}, shape {solved.Solutions.ShapeText})"));
        int notConverged = solved.Columns.Count(c => c.Converged == false);
        if (method != SolveMethod.None)
            summary.AddRow("not converged", notConverged == 0 ? "none" : $"{notConverged} of {solved.Columns.Count}");
        console.Out.Write(summary);

        if (solved.Columns.Any(c => c.RelativeResidual is not null))
        {
            var table = new Table().AddColumn("rhs").AddColumn(new TableColumn("iterations").RightAligned())
                .AddColumn(new TableColumn("‖b − A x‖₂ / ‖b‖₂").RightAligned()).AddColumn("converged");
            foreach (var (c, j) in solved.Columns.Select((c, j) => (c, j)).Take(TableRows))
                table.AddRow(j.ToString(), c.Iterations?.ToString() ?? "-", c.RelativeResidual!.Value.ToString("0.000e+00"), c.Converged switch { true => "yes", false => "no", null => "-" });
            if (solved.Columns.Count > TableRows) table.Caption($"first {TableRows} of {solved.Columns.Count} (all in --json)");
            console.Out.Write(table);
        }

        if (recorded is not null)
            console.Out.WriteLine($"The model records its operator; refine against it with {recorded}.");
    }
}

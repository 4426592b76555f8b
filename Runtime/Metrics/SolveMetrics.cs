using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.Kernels;
using GenLu.Solvers;

namespace GenLu.Metrics;

/// <summary>Which iterative method turns the learned solve into an exact one for the "refined" figures.</summary>
public enum RefinementMethod
{
    /// <summary>Restarted GMRES right-preconditioned by the learned solve (robust for poor models).</summary>
    Gmres,

    /// <summary>Plain iterative refinement (converges only when ‖I − A M⁻¹‖ &lt; 1).</summary>
    IterativeRefinement,
}

/// <summary>How <see cref="SolveMetrics.Measure"/> samples and refines.</summary>
public sealed record SolveMetricsOptions
{
    /// <summary>Number of random solutions x (spec: 1,000).</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>Seed of the standard-normal samples; the same seed gives the same samples.</summary>
    public int Seed { get; init; } = 20_240_601;

    public RefinementMethod Method { get; init; } = RefinementMethod.Gmres;

    /// <summary>Stopping rule of the refined solves.</summary>
    public IterativeSolveOptions Refinement { get; init; } = new();

    /// <summary>GMRES restart length.</summary>
    public int Restart { get; init; } = 50;
}

/// <summary>Errors of one way of solving, over all samples (true right-hand sides <c>b = A x</c>).</summary>
/// <param name="ErrorX"><c>e_x = ‖X − X̂‖_F</c>, all samples together (the spec's figure).</param>
/// <param name="RelativeErrorX"><c>‖X − X̂‖_F / ‖X‖_F</c>.</param>
/// <param name="MeanBackwardError">Mean of <c>‖A x̂ − b‖₂ / (‖A‖₂ ‖x̂‖₂ + ‖b‖₂)</c>.</param>
/// <param name="MaxBackwardError">Largest backward error of any sample.</param>
public sealed record SolveErrorFigures(double ErrorX, double RelativeErrorX, double MeanBackwardError, double MaxBackwardError);

/// <summary>
/// The reference's own figure: solve against <c>b̂ = Â x</c> (Â = s L U, in the model's dtype) instead of the true
/// <c>b = A x</c>. It measures only round-off in the structured solve, not how well Â approximates A.
/// </summary>
public sealed record ReferenceStyleFigures(double ErrorX, double RelativeErrorX);

/// <summary>Solve accuracy of a model on its operator (spec: "How accuracy is reported").</summary>
/// <param name="Samples">Number of random solutions.</param>
/// <param name="Seed">Seed of the samples.</param>
/// <param name="Method">How the refined figures were obtained.</param>
/// <param name="Plain">The structured solve alone (in the model's dtype: float or double).</param>
/// <param name="Refined">The structured solve inside <see cref="Method"/> (double).</param>
/// <param name="MeanIterations">Mean iterations of the refined solves.</param>
/// <param name="MaxIterations">Most iterations any refined solve took.</param>
/// <param name="NotConverged">Refined solves that stopped at the iteration cap or diverged.</param>
/// <param name="ReferenceStyle">Labelled separately: solves against <c>b̂ = Â x</c>.</param>
public sealed record SolveMetricsReport(
    int Samples,
    int Seed,
    RefinementMethod Method,
    SolveErrorFigures Plain,
    SolveErrorFigures Refined,
    double MeanIterations,
    int MaxIterations,
    int NotConverged,
    ReferenceStyleFigures ReferenceStyle);

/// <summary>Measures the solve errors of a learned model against the true operator.</summary>
public static class SolveMetrics
{
    private const int Batch = 64;

    /// <summary>
    /// Draws <c>Samples</c> vectors <c>x ~ N(0, I)</c> (fixed seed), forms the true <c>b = A x</c> in double,
    /// and reports the plain structured solve, the refined solve, and the reference-style figure.
    /// </summary>
    /// <param name="a">The operator that <c>s · L · U</c> approximates (same scale as the model's solve).</param>
    /// <param name="spectralNormA">‖A‖₂ of that operator (e.g. <c>MatrixNorms.Spectral</c>).</param>
    /// <param name="model">The learned model; its solver is built here (may throw <see cref="SingularBlockException"/>).</param>
    /// <param name="options">Sampling and refinement settings; defaults follow the spec.</param>
    public static SolveMetricsReport Measure(ILinearOperator a, double spectralNormA, GfmmModel model, SolveMetricsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(model);
        options ??= new SolveMetricsOptions();
        if (a.Order != model.N)
            throw new ArgumentException($"The operator has order {a.Order} but the model has N = {model.N}.", nameof(model));
        if (!(spectralNormA > 0) || double.IsInfinity(spectralNormA))
            throw new ArgumentOutOfRangeException(nameof(spectralNormA), spectralNormA, "‖A‖₂ must be finite and > 0.");
        if (options.Samples < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Samples, "Samples must be >= 1.");
        options.Refinement.Validate();

        int n = model.N;
        var solver = new GfmmSolver(model);
        var workspace = solver.CreateWorkspace(Batch);
        Gmres? gmres = options.Method == RefinementMethod.Gmres ? new Gmres(a, solver, options.Restart) : null;
        IterativeRefinement? refinement = gmres is null ? new IterativeRefinement(a, solver) : null;
        IterativeSolveResult Refine(ReadOnlySpan<double> b, Span<double> x) =>
            gmres?.Solve(b, x, options.Refinement) ?? refinement!.Solve(b, x, options.Refinement);

        var normal = new StandardNormal(options.Seed);
        var plain = new ErrorAccumulator(a, spectralNormA);
        var refined = new ErrorAccumulator(a, spectralNormA);
        double referenceErrorSquared = 0, solutionSquared = 0;
        long totalIterations = 0;
        int maxIterations = 0, notConverged = 0;

        var xs = new double[Batch * n];
        var bs = new double[Batch * n];
        var structured = new StructuredCalls(model, solver, workspace, Batch * n);
        var solvedX = new double[Batch * n];
        var refinedX = new double[n];
        var plainX = new double[n];
        var referenceX = new double[Batch * n];
        for (int first = 0; first < options.Samples; first += Batch)
        {
            int count = Math.Min(Batch, options.Samples - first);
            int length = count * n;
            for (int k = 0; k < length; k++) xs[k] = normal.Next();
            for (int v = 0; v < count; v++) a.Apply(xs.AsSpan(v * n, n), bs.AsSpan(v * n, n));

            // Plain: the structured solve of the true b (rounded to float for a float32 model).
            structured.Solve(bs.AsSpan(0, length), solvedX.AsSpan(0, length), count);
            for (int v = 0; v < count; v++)
            {
                solvedX.AsSpan(v * n, n).CopyTo(plainX);
                plain.Add(xs.AsSpan(v * n, n), bs.AsSpan(v * n, n), plainX);
            }

            // Refined: exact answers from approximate factors.
            for (int v = 0; v < count; v++)
            {
                ReadOnlySpan<double> b = bs.AsSpan(v * n, n);
                var result = Refine(b, refinedX);
                totalIterations += result.Iterations;
                maxIterations = Math.Max(maxIterations, result.Iterations);
                if (!result.Converged) notConverged++;
                refined.Add(xs.AsSpan(v * n, n), b, refinedX);
            }

            // Reference style: b̂ = Â x in the model's dtype, then the structured solve.
            structured.Apply(xs.AsSpan(0, length), solvedX.AsSpan(0, length), count);
            structured.Solve(solvedX.AsSpan(0, length), referenceX.AsSpan(0, length), count);
            referenceErrorSquared += Squared(Level1.Distance<double>(xs.AsSpan(0, length), referenceX.AsSpan(0, length)));
            solutionSquared += Squared(Level1.Norm2<double>(xs.AsSpan(0, length)));
        }

        return new SolveMetricsReport(options.Samples, options.Seed, options.Method,
            plain.Figures(), refined.Figures(),
            (double)totalIterations / options.Samples, maxIterations, notConverged,
            new ReferenceStyleFigures(Math.Sqrt(referenceErrorSquared), Math.Sqrt(referenceErrorSquared / solutionSquared)));
    }

    private static double Squared(double value) => value * value;

    /// <summary>The model's product and structured solve on double vectors, in the model's dtype: a float32 model's
    /// inputs are rounded to float and its outputs widened back; a float64 model's run as they are.</summary>
    private sealed class StructuredCalls(GfmmModel model, GfmmSolver solver, GfmmWorkspace workspace, int capacity)
    {
        private readonly float[] input = model.Dtype == GfmmDtype.Float32 ? new float[capacity] : [];
        private readonly float[] output = model.Dtype == GfmmDtype.Float32 ? new float[capacity] : [];

        public void Solve(ReadOnlySpan<double> b, Span<double> x, int count)
        {
            if (model.Dtype == GfmmDtype.Float64)
            {
                solver.Solve(b, x, count, workspace);
                return;
            }
            Span<float> single = Round(b);
            solver.Solve(single, output.AsSpan(0, b.Length), count, workspace);
            Widen(output.AsSpan(0, b.Length), x);
        }

        public void Apply(ReadOnlySpan<double> x, Span<double> y, int count)
        {
            if (model.Dtype == GfmmDtype.Float64)
            {
                model.Apply(x, y, count, workspace);
                return;
            }
            Span<float> single = Round(x);
            model.Apply(single, output.AsSpan(0, x.Length), count, workspace);
            Widen(output.AsSpan(0, x.Length), y);
        }

        private Span<float> Round(ReadOnlySpan<double> values)
        {
            Span<float> rounded = input.AsSpan(0, values.Length);
            for (int k = 0; k < values.Length; k++) rounded[k] = (float)values[k];
            return rounded;
        }

        private static void Widen(ReadOnlySpan<float> values, Span<double> wide)
        {
            for (int k = 0; k < values.Length; k++) wide[k] = values[k];
        }
    }

    /// <summary>Sums for e_x and the backward errors of a sequence of solutions.</summary>
    private sealed class ErrorAccumulator(ILinearOperator a, double normA)
    {
        private readonly double[] product = new double[a.Order];
        private double errorSquared, solutionSquared, backwardSum, backwardMax;
        private int count;

        public void Add(ReadOnlySpan<double> x, ReadOnlySpan<double> b, ReadOnlySpan<double> xHat)
        {
            errorSquared += Squared(Level1.Distance(x, xHat));
            solutionSquared += Squared(Level1.Norm2(x));
            a.Apply(xHat, product);
            double backward = Level1.Distance<double>(product, b) / (normA * Level1.Norm2(xHat) + Level1.Norm2(b));
            if (double.IsNaN(backward)) backward = double.PositiveInfinity; // a NaN solution is the worst case, not an absent one
            backwardSum += backward;
            backwardMax = Math.Max(backwardMax, backward);
            count++;
        }

        public SolveErrorFigures Figures() =>
            new(Math.Sqrt(errorSquared), Math.Sqrt(errorSquared / solutionSquared), backwardSum / count, backwardMax);
    }

    /// <summary>Standard-normal samples by the Box–Muller transform over a seeded <see cref="Random"/>.</summary>
    private sealed class StandardNormal(int seed)
    {
        private readonly Random random = new(seed);
        private double spare;
        private bool hasSpare;

        public double Next()
        {
            if (hasSpare)
            {
                hasSpare = false;
                return spare;
            }
            double u1 = 1.0 - random.NextDouble(); // (0, 1]: the logarithm stays finite
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            spare = radius * Math.Sin(2 * Math.PI * u2);
            hasSpare = true;
            return radius * Math.Cos(2 * Math.PI * u2);
        }
    }
}

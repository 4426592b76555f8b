using GenLu.Tests.Infrastructure;
using Xunit.Abstractions;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.IntegrationTests;

/// <summary>
/// The generated code and the Runtime's structured solver and products (GfmmSolver, GfmmModel.Apply) compute
/// the same numbers: both factor G_i with SmallLu in double and keep float factors; only the order of float
/// additions differs. Products agree to 1e-6 relative, and so do solves of a well-conditioned model
/// (cond₁(A) &lt; 100). A solve amplifies rounding by up to cond(A), so an ill-conditioned model's solves are held
/// to cond₁(A) · 2⁻²⁴ instead: the reference fixture, after only 50 training steps, has cond₁(A) ≈ 1.1e5.
/// </summary>
public class RuntimeAgreementTests(ITestOutputHelper output)
{
    private delegate void Operation(ReadOnlySpan<float> input, Span<float> output);

    public static TheoryData<string> Models => [ModelFiles.Reference, ModelFiles.WellConditioned];

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_solves_and_products_equal_the_runtime(string name)
    {
        var model = ModelFiles.Load(name);
        var solver = new GfmmSolver(model);
        var solverWorkspace = solver.CreateWorkspace();
        var modelWorkspace = model.CreateWorkspace();
        bool reference = name == ModelFiles.Reference;
        double condition = DenseReference.ConditionNumber(DenseReference.Operator(model));
        double solveTolerance = condition < 100 ? 1e-6 : condition * Math.Pow(2, -24);
        output.WriteLine($"{name}: cond₁(A) = {condition:F1}, solve tolerance {solveTolerance:E2}");
        var cases = new (string Name, Operation Generated, Operation Runtime, double Tolerance)[]
        {
            ("Solve", reference ? ReferenceSolver.Solve : WellConditionedSolver.Solve, (b, x) => solver.Solve(b, x, solverWorkspace), solveTolerance),
            ("SolveTranspose", reference ? ReferenceSolver.SolveTranspose : WellConditionedSolver.SolveTranspose, (b, x) => solver.SolveTranspose(b, x, solverWorkspace), solveTolerance),
            ("Apply", reference ? ReferenceSolver.Apply : WellConditionedSolver.Apply, (x, y) => model.Apply(x, y, modelWorkspace), 1e-6),
            ("ApplyTranspose", reference ? ReferenceSolver.ApplyTranspose : WellConditionedSolver.ApplyTranspose, (x, y) => model.ApplyTranspose(x, y, modelWorkspace), 1e-6),
        };

        var random = new Random(17);
        foreach (var (operation, generated, runtime, tolerance) in cases)
        {
            double worst = 0;
            for (int trial = 0; trial < 20; trial++)
            {
                var input = new float[model.N];
                for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 2 - 1);
                var fromGenerated = new float[model.N];
                var fromRuntime = new float[model.N];
                generated(input, fromGenerated);
                runtime(input, fromRuntime);
                worst = Math.Max(worst, RelativeDifference(fromGenerated, fromRuntime));
            }
            output.WriteLine($"{name} {operation}: largest ‖generated − runtime‖₂ / ‖runtime‖₂ over 20 inputs = {worst:E2}");
            worst.ShouldBeLessThan(tolerance, $"{name} {operation}");
        }
    }

    /// <summary>A batch of 21 right-hand sides (a full panel of 16 and one of 5) through the generated solver's
    /// panel kernels and through the Runtime's node-major panel solve.</summary>
    [Fact]
    public void Generated_batched_solves_equal_the_runtime_batched_solves()
    {
        var model = ModelFiles.Load(ModelFiles.WellConditioned);
        var solver = new GfmmSolver(model);
        const int count = 21;
        int n = model.N;
        var random = new Random(23);
        var b = new float[n * count];
        for (int i = 0; i < b.Length; i++) b[i] = (float)(random.NextDouble() * 2 - 1);
        var generated = new float[b.Length];
        var runtime = new float[b.Length];
        WellConditionedSolver.Solve(b, generated, count, new float[WellConditionedSolver.BatchScratchLength]);
        solver.Solve(b, runtime, count, solver.CreateWorkspace(count));
        double worst = 0;
        for (int k = 0; k < count; k++)
            worst = Math.Max(worst, RelativeDifference(generated.AsSpan(k * n, n).ToArray(), runtime.AsSpan(k * n, n).ToArray()));
        output.WriteLine($"batched Solve, {count} vectors: largest ‖generated − runtime‖₂ / ‖runtime‖₂ = {worst:E2}");
        worst.ShouldBeLessThan(1e-6);
    }

    private static double RelativeDifference(float[] actual, float[] expected)
    {
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            difference += d * d;
            norm += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }
}

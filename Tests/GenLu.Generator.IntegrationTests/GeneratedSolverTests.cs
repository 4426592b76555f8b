using GenLu.Tests.Support;
using System.Text.Json;
using GenLu.Tests.Infrastructure;

namespace GenLu.IntegrationTests;

/// <summary>
/// The solvers generated at build time, checked against an independent dense double-precision reference (dense
/// L and U built from the spec's naive per-edge product, Gaussian elimination for the solves) and, for the
/// reference fixture, against the outputs the reference implementation recorded.
/// </summary>
public class GeneratedSolverTests
{
    private delegate void Operation(ReadOnlySpan<float> input, Span<float> output);

    public static TheoryData<string> Models => [ModelFiles.Reference, ModelFiles.WellConditioned];

    [Fact]
    public void Apply_reproduces_the_reference_implementations_recorded_output()
    {
        using var probe = JsonDocument.Parse(File.ReadAllText(ModelFiles.PathOf("reference-m2p4.probe.json")));
        float[] Read(string name) => probe.RootElement.GetProperty(name).EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var x = Read("x");
        var y = new float[ReferenceSolver.N];

        ReferenceSolver.Apply(x, y);

        DenseReference.RelativeError(y, Array.ConvertAll(Read("LUx"), v => (double)v)).ShouldBeLessThan(1e-6);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Products_match_the_dense_reference(string model)
    {
        var (a, apply, applyTranspose, _, _) = Bind(model);
        var x = RandomVector(a.GetLength(0), seed: 5);
        var y = new float[x.Length];

        apply(x, y);
        DenseReference.RelativeError(y, DenseReference.Multiply(a, Widen(x))).ShouldBeLessThan(1e-5);
        applyTranspose(x, y);
        DenseReference.RelativeError(y, DenseReference.Multiply(DenseReference.Transpose(a), Widen(x))).ShouldBeLessThan(1e-5);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Solves_match_the_dense_reference(string model)
    {
        var (a, _, _, solve, solveTranspose) = Bind(model);
        var b = RandomVector(a.GetLength(0), seed: 6);
        var x = new float[b.Length];

        // A float solve can lose up to cond(A) · 2⁻²⁴ (cond₁ ≈ 46 for the M = 8 model, 1.1e5 for the briefly
        // trained fixture); both stay well inside 1e-4 in practice.
        solve(b, x);
        DenseReference.RelativeError(x, DenseReference.Solve(a, Widen(b))).ShouldBeLessThan(1e-4);
        solveTranspose(b, x);
        DenseReference.RelativeError(x, DenseReference.Solve(DenseReference.Transpose(a), Widen(b))).ShouldBeLessThan(1e-4);
    }

    [Fact]
    public void Solve_inverts_apply_and_the_transposes_are_adjoint()
    {
        int n = WellConditionedSolver.N;
        var x = RandomVector(n, seed: 7);
        var z = RandomVector(n, seed: 8);
        var ax = new float[n];
        var atz = new float[n];
        var back = new float[n];

        WellConditionedSolver.Apply(x, ax);
        WellConditionedSolver.Solve(ax, back);
        DenseReference.RelativeError(back, Widen(x)).ShouldBeLessThan(1e-5);

        WellConditionedSolver.ApplyTranspose(z, atz);
        double left = 0, right = 0;
        for (int i = 0; i < n; i++)
        {
            left += (double)ax[i] * z[i];   // <A x, z>
            right += (double)x[i] * atz[i]; // <x, Aᵀ z>
        }
        Math.Abs(left - right).ShouldBeLessThan(1e-5 * Math.Abs(left) + 1e-5);
    }

    [Fact]
    public void One_thousand_calls_allocate_nothing()
    {
        int n = WellConditionedSolver.N;
        var input = RandomVector(n * 13, seed: 9);
        var output = new float[n * 13];
        var scratch = new float[WellConditionedSolver.BatchScratchLength];

        AllocationProbe.LeastBytesPerRun(() =>
        {
            for (int i = 0; i < 1_000; i++) RunAll(input, output, scratch);
        }).ShouldBe(0);
    }

    private static void RunAll(float[] input, float[] output, Span<float> scratch)
    {
        var single = input.AsSpan(0, WellConditionedSolver.N);
        var target = output.AsSpan(0, WellConditionedSolver.N);
        WellConditionedSolver.Solve(single, target);
        WellConditionedSolver.SolveTranspose(single, target, scratch);
        WellConditionedSolver.Apply(single, target);
        WellConditionedSolver.ApplyTranspose(single, target, scratch);
        WellConditionedSolver.Solve(input, output, 13); // one panel of 13 vectors, scratch on the stack
        WellConditionedSolver.Apply(input, output, 13, scratch);
        ReferenceSolver.Solve(input.AsSpan(0, ReferenceSolver.N), output.AsSpan(0, ReferenceSolver.N));
    }

    private static (double[,] A, Operation Apply, Operation ApplyTranspose, Operation Solve, Operation SolveTranspose) Bind(string model)
    {
        var a = DenseReference.Operator(ModelFiles.Load(model));
        return model == ModelFiles.Reference
            ? (a, ReferenceSolver.Apply, ReferenceSolver.ApplyTranspose, ReferenceSolver.Solve, ReferenceSolver.SolveTranspose)
            : (a, WellConditionedSolver.Apply, WellConditionedSolver.ApplyTranspose, WellConditionedSolver.Solve, WellConditionedSolver.SolveTranspose);
    }

    private static double[] Widen(float[] values) => Array.ConvertAll(values, v => (double)v);

    private static float[] RandomVector(int n, int seed)
    {
        var random = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }
}

using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.Tests.Support;

namespace GenLu.Tests.Gfmm;

/// <summary>The span rules the Runtime shares with the generated code: in place, count 0, and a workspace
/// smaller than the batch (processed in chunks), each against the dense double reference.</summary>
public class GfmmSpanRuleTests
{
    private const int M = 8, P = 3, N = M * P, Count = 7;

    private static float[] Inputs() => DenseMath.ToFloat(DenseMath.RandomVector(N * Count, new Random(5)));

    private static void ShouldMatch(float[] actual, float[] inputs, Func<double[], double[]> reference, string how)
    {
        for (int k = 0; k < Count; k++)
        {
            var expected = reference(DenseMath.ToDouble(inputs.AsSpan(k * N, N)));
            DenseMath.RelativeError(expected, actual.AsSpan(k * N, N)).ShouldBeLessThan(1e-5, $"{how}, vector {k}");
        }
    }

    /// <summary>Runs <paramref name="operation"/> with a workspace of every capacity from 1 to above the batch,
    /// out of place and in place, and compares every vector with the reference.</summary>
    private static void CheckRules(Action<float[], float[], int, GfmmWorkspace> operation, Func<double[], double[]> reference)
    {
        var inputs = Inputs();
        foreach (int capacity in new[] { 1, 2, 3, Count, Count + 4 })
        {
            var ws = new GfmmWorkspace(M, P, capacity);
            var output = new float[N * Count];
            operation(inputs, output, Count, ws);
            ShouldMatch(output, inputs, reference, $"capacity {capacity}");
            var inPlace = (float[])inputs.Clone();
            operation(inPlace, inPlace, Count, ws);
            ShouldMatch(inPlace, inputs, reference, $"in place, capacity {capacity}");
        }
        operation([], [], 0, new GfmmWorkspace(M, P, 1)); // count == 0: nothing to do, nothing thrown
    }

    [Fact]
    public void Solver_calls_follow_the_span_rules()
    {
        var model = new GfmmModel(GfmmRandom.WellConditioned(M, P, seed: 3).L, GfmmRandom.WellConditioned(M, P, seed: 3).U, scale: 2.5);
        var solver = new GfmmSolver(model);
        var lower = NaiveGfmm.Dense(model.L);
        var upper = NaiveGfmm.Dense(model.U);
        var a = DenseMath.Scale(DenseMath.Multiply(lower, upper), 2.5);
        CheckRules((b, x, count, ws) => solver.Solve(b, x, count, ws), b => DenseMath.Solve(a, b));
        CheckRules((b, x, count, ws) => solver.SolveTranspose(b, x, count, ws), b => DenseMath.Solve(DenseMath.Transpose(a), b));
        CheckRules((b, x, count, ws) => solver.SolveLower(b, x, count, ws), b => DenseMath.Solve(lower, b));
        CheckRules((b, x, count, ws) => solver.SolveUpper(b, x, count, ws), b => DenseMath.Solve(upper, b));
    }

    [Fact]
    public void Model_products_follow_the_span_rules()
    {
        var model = new GfmmModel(GfmmRandom.WellConditioned(M, P, seed: 4).L, GfmmRandom.WellConditioned(M, P, seed: 4).U, scale: 0.5);
        var a = DenseMath.Scale(DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U)), 0.5);
        CheckRules((x, y, count, ws) => model.Apply(x, y, count, ws), x => DenseMath.Multiply(a, x));
        CheckRules((x, y, count, ws) => model.ApplyTranspose(x, y, count, ws), x => DenseMath.Multiply(a, x, transpose: true));
    }

    [Theory]
    [InlineData(GfmmKind.Lower)]
    [InlineData(GfmmKind.Upper)]
    [InlineData(GfmmKind.General)]
    public void Block_products_follow_the_span_rules(GfmmKind kind)
    {
        var block = NaiveGfmm.RandomBlock(kind, M, P, seed: 10 + (int)kind);
        var dense = NaiveGfmm.Dense(block);
        CheckRules((x, y, count, ws) => block.Multiply(x, y, count, ws), x => DenseMath.Multiply(dense, x));
        CheckRules((x, y, count, ws) => block.MultiplyTranspose(x, y, count, ws), x => DenseMath.Multiply(dense, x, transpose: true));
    }

    [Fact]
    public void Count_zero_leaves_the_output_alone_and_chunked_batches_allocate_nothing()
    {
        var solver = new GfmmSolver(GfmmRandom.WellConditioned(M, P, seed: 6));
        var ws = solver.CreateWorkspace(2);
        var untouched = new float[N];
        solver.Solve(ReadOnlySpan<float>.Empty, untouched.AsSpan(0, 0), 0, ws);
        untouched.ShouldAllBe(v => v == 0);

        var b = Inputs();
        var x = new float[b.Length];
        AllocationProbe.LeastBytesPerRun(() =>
        {
            solver.Solve(b, x, Count, ws);
            solver.Solve(x, x, Count, ws);
        }).ShouldBe(0);
    }
}

using GenLu.Tests.Support;
using GenLu.Tests.Infrastructure;

namespace GenLu.IntegrationTests;

/// <summary>
/// The generated <c>SolveParallel</c>: on every processor, with the serial batched solve's panels of <c>PanelWidth</c>
/// vectors, so its numbers equal the serial call's bit for bit; both agree with the dense double solve.
/// </summary>
public class ParallelSolveTests
{
    private static float[] RandomVectors(int length, int seed)
    {
        var random = new Random(seed);
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(2 * random.NextDouble() - 1);
        return v;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(WellConditionedSolver.PanelWidth)]
    [InlineData(WellConditionedSolver.PanelWidth + 1)]
    [InlineData(3 * WellConditionedSolver.PanelWidth + 5)]
    [InlineData(64)]
    public void Parallel_solves_equal_the_serial_panels_bit_for_bit_and_the_dense_solve(int count)
    {
        const int n = WellConditionedSolver.N;
        float[] b = RandomVectors(count * n, seed: count);
        var serial = new float[b.Length];
        var parallel = new float[b.Length];

        WellConditionedSolver.Solve(b, serial, count, new float[WellConditionedSolver.BatchScratchLength]);
        WellConditionedSolver.SolveParallel(b, parallel, count);
        parallel.ShouldBe(serial);

        var a = DenseReference.Operator(ModelFiles.Load(ModelFiles.WellConditioned));
        for (int v = 0; v < count; v++)
        {
            double[] expected = DenseReference.Solve(a, Array.ConvertAll(b[(v * n)..((v + 1) * n)], f => (double)f));
            DenseReference.RelativeError(parallel.AsSpan(v * n, n), expected).ShouldBeLessThan(1e-5, $"vector {v}");
        }

        float[] inPlace = (float[])b.Clone();
        WellConditionedSolver.SolveParallel(inPlace, inPlace, count);
        inPlace.ShouldBe(serial);
    }

    [Fact]
    public void Another_shape_and_scale_solves_in_parallel_like_its_serial_panels()
    {
        // The exact Laplacian factors: M = 8, P = 16, scale 1 (no scaling pass in the generated cores).
        const int n = Laplacian1D.N, count = 2 * Laplacian1D.PanelWidth + 3;
        float[] b = RandomVectors(count * n, seed: 9);
        var serial = new float[b.Length];
        var parallel = new float[b.Length];
        Laplacian1D.Solve(b, serial, count, new float[Laplacian1D.BatchScratchLength]);
        Laplacian1D.SolveParallel(b, parallel, count);
        parallel.ShouldBe(serial);
    }

    [Fact]
    public void A_count_of_zero_is_a_no_op_and_bad_lengths_are_refused()
    {
        WellConditionedSolver.SolveParallel(Array.Empty<float>(), Array.Empty<float>(), 0);

        var b = new float[2 * WellConditionedSolver.N];
        var x = new float[b.Length];
        Should.Throw<ArgumentOutOfRangeException>(() => WellConditionedSolver.SolveParallel(b, x, -1));
        Should.Throw<ArgumentException>(() => WellConditionedSolver.SolveParallel(b, x.AsMemory(1), 2)).ParamName.ShouldBe("x");
        Should.Throw<ArgumentException>(() => WellConditionedSolver.SolveParallel(b.AsMemory(1), x.AsMemory(1), 2)).ParamName.ShouldBe("b");
        Should.Throw<ArgumentException>(() => WellConditionedSolver.SolveParallel(b.AsMemory(0, b.Length - 1), b.AsMemory(1), 1));
    }

    [Fact]
    public void Calls_after_the_first_allocate_nothing_on_the_calling_thread()
    {
        const int count = 2 * WellConditionedSolver.PanelWidth + 1;
        float[] b = RandomVectors(count * WellConditionedSolver.N, seed: 4);
        var x = new float[b.Length];
        AllocationProbe.LeastBytesPerRun(() =>
        {
            for (int repeat = 0; repeat < 5; repeat++) WellConditionedSolver.SolveParallel(b, x, count);
        }).ShouldBe(0);
    }
}

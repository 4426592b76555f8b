using GenLu.Gfmm;
using GenLu.Tests.Support;

namespace GenLu.Tests.Gfmm;

/// <summary>
/// <see cref="GfmmSolver.SolveParallel"/>: panels of the workspace's capacity on several threads give the serial batched
/// solve's numbers bit for bit (the same panels), and both agree with a dense double solve of <c>s · L U</c>.
/// </summary>
public class ParallelSolveTests
{
    private const int M = 4, P = 8, Capacity = 4;

    /// <summary>A random well-conditioned model with scale 3 and order <paramref name="n"/> (≤ M · P: the padded system's first n entries).</summary>
    private static GfmmModel Model(int n)
    {
        var random = GfmmRandom.WellConditioned(M, P, seed: 17);
        return new GfmmModel(random.L, random.U, scale: 3.0, n: n);
    }

    private static float[] RandomVectors(int length, int seed) => DenseMath.ToFloat(DenseMath.RandomVector(length, new Random(seed)));

    public static TheoryData<int, int, int> Cases() => new()
    {
        // order N, vectors, threads: one panel or less (serial), an odd count with a partial last panel,
        // more panels than threads, more threads than panels, and a padded order N < M · P.
        { M * P, 1, 2 },
        { M * P, 3, 2 },
        { M * P, 13, 2 },
        { M * P, 13, 3 },
        { M * P, 32, 2 },
        { M * P, 9, 7 },
        { 29, 11, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parallel_solves_equal_the_serial_panels_bit_for_bit_and_the_dense_solve(int n, int count, int threads)
    {
        var model = Model(n);
        var solver = new GfmmSolver(model);
        float[] b = RandomVectors(count * n, seed: count + 31 * threads);
        var serial = new float[b.Length];
        var parallel = new float[b.Length];
        using var workspace = solver.CreateParallelWorkspace(threads, Capacity);

        solver.Solve(b, serial, count, solver.CreateWorkspace(Capacity));
        solver.SolveParallel(b, parallel, count, workspace);
        parallel.ShouldBe(serial);

        // Each vector: the first n entries of the dense double solve of the padded system s · L U with b padded by zeros.
        var a = DenseMath.Scale(DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U)), model.Scale);
        for (int v = 0; v < count; v++)
        {
            var padded = new double[model.PaddedN];
            for (int i = 0; i < n; i++) padded[i] = b[v * n + i];
            double[] expected = DenseMath.Solve(a, padded)[..n];
            DenseMath.RelativeError(expected, parallel.AsSpan(v * n, n)).ShouldBeLessThan(1e-5, $"vector {v}");
        }

        // Transposed solves and in-place calls follow the same panels.
        solver.SolveTranspose(b, serial, count, solver.CreateWorkspace(Capacity));
        solver.SolveTransposeParallel(b, parallel, count, workspace);
        parallel.ShouldBe(serial);
        float[] inPlace = (float[])b.Clone();
        solver.SolveParallel(inPlace, inPlace, count, workspace);
        solver.Solve(b, serial, count, solver.CreateWorkspace(Capacity));
        inPlace.ShouldBe(serial);
    }

    [Fact]
    public void A_count_of_zero_is_a_no_op()
    {
        var solver = new GfmmSolver(Model(M * P));
        using var workspace = solver.CreateParallelWorkspace(threads: 2, Capacity);
        solver.SolveParallel(new float[0], new float[0], 0, workspace);
        Should.Throw<ArgumentOutOfRangeException>(() => solver.SolveParallel(new float[0], new float[0], -1, workspace));
    }

    [Fact]
    public void Calls_after_the_first_allocate_nothing_on_the_calling_thread()
    {
        var solver = new GfmmSolver(Model(M * P));
        const int count = 21;
        float[] b = RandomVectors(count * M * P, seed: 5);
        var x = new float[b.Length];
        using var workspace = solver.CreateParallelWorkspace(threads: 2, Capacity);
        AllocationProbe.LeastBytesPerRun(() =>
        {
            for (int repeat = 0; repeat < 10; repeat++) solver.SolveParallel(b, x, count, workspace);
        }).ShouldBe(0);
    }

    [Fact]
    public void Bad_arguments_are_refused_before_any_work()
    {
        var solver = new GfmmSolver(Model(M * P));
        float[] b = RandomVectors(2 * M * P, seed: 3);
        var x = new float[b.Length];
        using var other = new GfmmParallelWorkspace(M * 2, P, threads: 2);
        Should.Throw<ArgumentException>(() => solver.SolveParallel(b, x, 2, other)).ParamName.ShouldBe("workspace");
        using var workspace = solver.CreateParallelWorkspace(threads: 2, Capacity);
        Should.Throw<ArgumentException>(() => solver.SolveParallel(b, x.AsSpan(1), 2, workspace)).ParamName.ShouldBe("x");
        Should.Throw<ArgumentException>(() => solver.SolveParallel(b.AsSpan(0, b.Length - 1), x.AsSpan(1), 2, workspace));
        Should.Throw<ArgumentNullException>(() => solver.SolveParallel(b, x, 2, null!));
        Should.Throw<ArgumentOutOfRangeException>(() => solver.CreateParallelWorkspace(threads: -1));
        Should.Throw<ArgumentOutOfRangeException>(() => solver.CreateParallelWorkspace(threads: GfmmParallelWorkspace.MaxThreads + 1));
        Should.Throw<ArgumentOutOfRangeException>(() => solver.CreateParallelWorkspace(threads: 2, batchCapacity: 0));
        x.ShouldAllBe(v => v == 0);

        workspace.Dispose();
        Should.Throw<ObjectDisposedException>(() => solver.SolveParallel(b, x, 2, workspace));
    }
}

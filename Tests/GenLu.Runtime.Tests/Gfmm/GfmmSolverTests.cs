using GenLu.Tests.Support;
using GenLu.Gfmm;

namespace GenLu.Tests.Gfmm;

public class GfmmSolverTests
{
    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int m in new[] { 2, 4, 8, 16 })
            foreach (int p in new[] { 1, 3, 8 })
                data.Add(m, p);
        data.Add(4, 19); // P above and not a multiple of the SIMD width: blocked substitution with a tail
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Structured_solves_equal_dense_solves_of_the_extracted_factors(int m, int p)
    {
        var model = GfmmRandom.WellConditioned(m, p, seed: 100 * m + p);
        var model2 = new GfmmModel(model.L, model.U, scale: 3.0); // a scale other than 1 must divide the solution
        var solver = new GfmmSolver(model2);
        var lower = NaiveGfmm.Dense(model.L);
        var upper = NaiveGfmm.Dense(model.U);
        var a = DenseMath.Scale(DenseMath.Multiply(lower, upper), 3.0);
        var b = DenseMath.ToFloat(DenseMath.RandomVector(model.N, new Random(m + p)));
        var bd = DenseMath.ToDouble(b);
        var ws = solver.CreateWorkspace();
        var x = new float[model.N];

        solver.Solve(b, x, ws);
        DenseMath.RelativeError(DenseMath.Solve(a, bd), x).ShouldBeLessThan(1e-5);
        solver.SolveTranspose(b, x, ws);
        DenseMath.RelativeError(DenseMath.Solve(DenseMath.Transpose(a), bd), x).ShouldBeLessThan(1e-5);
        solver.SolveLower(b, x, ws);
        DenseMath.RelativeError(DenseMath.Solve(lower, bd), x).ShouldBeLessThan(1e-5);
        solver.SolveUpper(b, x, ws);
        DenseMath.RelativeError(DenseMath.Solve(upper, bd), x).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Pivoting_inside_G_is_exercised_and_correct()
    {
        // G_i with a zero in the top-left corner forces a row swap in every diagonal block.
        var model = GfmmRandom.WellConditioned(4, 3, seed: 8);
        foreach (var block in new[] { model.L, model.U })
            for (int i = 0; i < 4; i++)
            {
                var g = block.Tensor(block.Layout.Diagonal(i));
                g[0] = 0;
                g[3] = 1; // G[1, 0]
            }
        var solver = new GfmmSolver(model);
        solver.LowerDiagonalPivots[0].ShouldNotBe(0);
        var a = DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U));
        var b = DenseMath.ToFloat(DenseMath.RandomVector(model.N, new Random(2)));
        var x = new float[model.N];
        solver.Solve(b, x);
        DenseMath.RelativeError(DenseMath.Solve(a, DenseMath.ToDouble(b)), x).ShouldBeLessThan(1e-5);
        solver.SolveTranspose(b, x, solver.CreateWorkspace());
        DenseMath.RelativeError(DenseMath.Solve(DenseMath.Transpose(a), DenseMath.ToDouble(b)), x).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Exposed_diagonal_factors_reproduce_G()
    {
        const int m = 4, p = 6;
        var model = GfmmRandom.WellConditioned(m, p, seed: 12);
        var solver = new GfmmSolver(model);
        foreach (var (block, factors, pivots) in new[]
                 {
                     (model.L, solver.LowerDiagonalFactors.ToArray(), solver.LowerDiagonalPivots.ToArray()),
                     (model.U, solver.UpperDiagonalFactors.ToArray(), solver.UpperDiagonalPivots.ToArray()),
                 })
            for (int i = 0; i < m; i++)
            {
                var g = block.Tensor(block.Layout.Diagonal(i)).ToArray();
                // L U with unit L below the diagonal, then the row swaps undone in reverse: Pᵀ L U = G.
                var product = new double[p, p];
                for (int r = 0; r < p; r++)
                    for (int c = 0; c < p; c++)
                        for (int k = 0; k <= Math.Min(r, c); k++)
                            product[r, c] += (k == r ? 1.0 : factors[i * p * p + r * p + k]) * factors[i * p * p + k * p + c];
                for (int k = p - 1; k >= 0; k--)
                    for (int c = 0; c < p; c++)
                        (product[k, c], product[pivots[i * p + k], c]) = (product[pivots[i * p + k], c], product[k, c]);
                for (int r = 0; r < p; r++)
                    for (int c = 0; c < p; c++)
                        product[r, c].ShouldBe(g[r * p + c], 1e-6);
            }
    }

    [Fact]
    public void Reference_fixture_solve_inverts_its_products()
    {
        var model = GfmmModel.Load(TestPaths.Fixture("reference-m2p4.gfmm.json"));
        var solver = new GfmmSolver(model);
        var a = DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U));
        var b = DenseMath.ToFloat(DenseMath.RandomVector(model.N, new Random(4)));
        var x = new float[model.N];
        solver.Solve(b, x);
        var expected = DenseMath.Solve(a, DenseMath.ToDouble(b));
        // Tolerance scaled by the conditioning of the (barely trained) reference factors.
        DenseMath.RelativeError(expected, x).ShouldBeLessThan(1e-4);
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(13, 5)]
    [InlineData(64, 5)]
    [InlineData(80, 8)] // the Vector512 panel product: a 64-wide block and a 16-wide stripe
    public void Batched_solves_equal_repeated_single_solves(int count, int p)
    {
        var solver = new GfmmSolver(GfmmRandom.WellConditioned(8, p, seed: count));
        int n = solver.N;
        var b = DenseMath.ToFloat(DenseMath.RandomVector(n * count, new Random(count)));
        var ws = solver.CreateWorkspace(count);
        var batched = new float[n * count];
        var single = new float[n];
        foreach (var (batch, one) in new (Action<float[], float[]>, Action<ReadOnlyMemory<float>, float[]>)[]
                 {
                     ((bb, xx) => solver.Solve(bb, xx, count, ws), (bb, xx) => solver.Solve(bb.Span, xx, ws)),
                     ((bb, xx) => solver.SolveTranspose(bb, xx, count, ws), (bb, xx) => solver.SolveTranspose(bb.Span, xx, ws)),
                     ((bb, xx) => solver.SolveLower(bb, xx, count, ws), (bb, xx) => solver.SolveLower(bb.Span, xx, ws)),
                     ((bb, xx) => solver.SolveUpper(bb, xx, count, ws), (bb, xx) => solver.SolveUpper(bb.Span, xx, ws)),
                 })
        {
            batch(b, batched);
            for (int v = 0; v < count; v++)
            {
                one(b.AsMemory(v * n, n), single);
                DenseMath.RelativeError(DenseMath.ToDouble(single), batched.AsSpan(v * n, n)).ShouldBeLessThan(1e-6);
            }
        }
    }

    /// <summary>In a batch of 80 the first 64 vectors go through the Vector512 column blocks, the last 16
    /// through the generic row operations; both apply the same operations in the same order, so a vector
    /// repeated in both parts comes out bit for bit the same.</summary>
    [Fact]
    public void Wide_column_blocks_and_the_generic_columns_agree_bit_for_bit()
    {
        var solver = new GfmmSolver(GfmmRandom.WellConditioned(8, 8, seed: 80));
        int n = solver.N;
        const int count = 80;
        var b = DenseMath.ToFloat(DenseMath.RandomVector(n * count, new Random(80)));
        b.AsSpan(0, 16 * n).CopyTo(b.AsSpan(64 * n)); // vectors 64…79 repeat vectors 0…15
        var ws = solver.CreateWorkspace(count);
        var x = new float[n * count];
        foreach (bool transpose in new[] { false, true })
        {
            if (transpose) solver.SolveTranspose(b, x, count, ws);
            else solver.Solve(b, x, count, ws);
            x.AsSpan(64 * n).ToArray().ShouldBe(x.AsSpan(0, 16 * n).ToArray());
        }
    }

    [Fact]
    public void Solves_allocate_nothing_given_a_workspace()
    {
        var solver = new GfmmSolver(GfmmRandom.WellConditioned(16, 4, seed: 3));
        var ws = solver.CreateWorkspace(8);
        var b = new float[solver.N * 8];
        b.AsSpan().Fill(1);
        var x = new float[solver.N * 8];
        void All()
        {
            solver.Solve(b.AsSpan(0, solver.N), x.AsSpan(0, solver.N), ws);
            solver.SolveTranspose(b.AsSpan(0, solver.N), x.AsSpan(0, solver.N), ws);
            solver.Solve(b, x, 8, ws);
            solver.SolveTranspose(b, x, 8, ws);
            solver.SolveLower(b, x, 8, ws);
            solver.SolveUpper(b.AsSpan(0, solver.N), x.AsSpan(0, solver.N), ws);
        }
        AllocationProbe.LeastBytesPerRun(All).ShouldBe(0);
    }

    [Fact]
    public void A_singular_diagonal_block_is_reported_by_name()
    {
        var model = GfmmRandom.WellConditioned(8, 4, seed: 1);
        var g = model.L.Tensor(model.L.Layout.Diagonal(3));
        for (int r = 0; r < 4; r++) g[r * 4 + 2] = 0; // column 2 of L.G_3 is zero
        var e = Should.Throw<SingularBlockException>(() => new GfmmSolver(model));
        e.Factor.ShouldBe("L");
        e.Block.ShouldBe(3);
        e.ZeroPivotColumn.ShouldBe(2);
        e.Message.ShouldBe("L.G_3 (tensor 'L.bridges.0.diag_blocks.3.W.weight') cannot be factored in float: an exactly zero pivot in column 2 of its LU factorization with partial pivoting.");
    }

    [Fact]
    public void A_non_finite_diagonal_block_is_reported_by_name()
    {
        var model = GfmmRandom.WellConditioned(4, 2, seed: 1);
        model.U.Tensor(model.U.Layout.Diagonal(1))[1] = float.NaN;
        var e = Should.Throw<SingularBlockException>(() => new GfmmSolver(model));
        e.Message.ShouldStartWith("U.G_1 (tensor 'U.bridges.0.diag_blocks.1.W.weight') cannot be factored in float: ");
        e.ZeroPivotColumn.ShouldBe(-1);
    }

    [Fact]
    public void The_solver_keeps_its_own_copy_of_the_weights()
    {
        var model = GfmmRandom.WellConditioned(4, 2, seed: 6);
        var solver = new GfmmSolver(model);
        var b = DenseMath.ToFloat(DenseMath.RandomVector(model.N, new Random(1)));
        var before = new float[model.N];
        var after = new float[model.N];
        solver.Solve(b, before);
        for (int t = 0; t < model.L.Layout.TensorCount; t++) model.L.Tensor(t).Clear();
        solver.Solve(b, after);
        after.ShouldBe(before);
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_argument()
    {
        var solver = new GfmmSolver(GfmmRandom.WellConditioned(4, 2, seed: 1));
        var ws = solver.CreateWorkspace();
        Should.Throw<ArgumentException>(() => solver.Solve(new float[7], new float[8], ws)).ParamName.ShouldBe("b");
        Should.Throw<ArgumentException>(() => solver.Solve(new float[8], new float[16], ws)).ParamName.ShouldBe("x");
        Should.Throw<ArgumentException>(() => solver.Solve(new float[8], new float[8], new GfmmWorkspace(4, 3))).ParamName.ShouldBe("workspace");
        Should.Throw<ArgumentOutOfRangeException>(() => solver.SolveLower(new float[8], new float[8], -1, ws)).ParamName.ShouldBe("count");
        Should.Throw<ArgumentNullException>(() => new GfmmSolver(null!));
    }
}

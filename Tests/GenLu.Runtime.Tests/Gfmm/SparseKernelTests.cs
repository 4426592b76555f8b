using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Structure;
using GenLu.Tests.Support;

namespace GenLu.Tests.Gfmm;

/// <summary>
/// The Runtime solver's sparse kernels (tensors and G_i factors with few non-zero entries): against the dense kernels on
/// random sparse blocks with pivoting, and, for the exact factors of the 1D Laplacian (bidiagonal G_i, one-entry bridges:
/// the textbook LU of a tridiagonal matrix), against a dense double solve of tridiag(-1, 2, -1).
/// </summary>
public class SparseKernelTests
{
    [Theory]
    [InlineData(8, 1)]
    [InlineData(8, 3)]
    [InlineData(16, 20)]
    public void Sparse_kernels_compute_what_the_dense_kernels_compute(int p, int count)
    {
        var random = new Random(p * 31 + count);
        // A sparse block: a shifted diagonal with a few entries below and above it, rows permuted so that pivoting swaps.
        var g = new double[p * p];
        for (int i = 0; i < p; i++) g[i * p + i] = 2 + random.NextDouble();
        for (int k = 0; k < p / 4; k++)
        {
            int row = random.Next(1, p);
            g[row * p + random.Next(row)] = random.NextDouble() - 0.5;
        }
        var permuted = new double[p * p];
        for (int i = 0; i < p; i++) Array.Copy(g, ((i + 1) % p) * p, permuted, i * p, p);
        var model = GfmmModel.Zero(2, p);
        for (int block = 0; block < 2; block++)
        {
            var tensor = model.L.Tensor(model.L.Layout.Diagonal(block));
            for (int k = 0; k < tensor.Length; k++) tensor[k] = (float)permuted[k];
        }
        var factors = DiagonalBlockFactors<float>.TryCreate(model.L.Store<float>(), out _).ShouldNotBeNull();
        Enumerable.Range(0, p).Any(k => factors.Pivots[k] != k).ShouldBeTrue("pivoting swaps rows");
        var lu = factors.Factors.AsSpan(0, p * p).ToArray();
        var luTransposed = factors.FactorsTransposed.AsSpan(0, p * p).ToArray();
        var triangles = SparseTriangles.Find<float>(lu, luTransposed, p).ShouldNotBeNull("the factors of this block are sparse");

        var panel = Enumerable.Range(0, p * count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        foreach (bool transpose in new[] { false, true })
        {
            var dense = (float[])panel.Clone();
            var sparse = (float[])panel.Clone();
            GfmmKernels.LuSolve<float>(lu, luTransposed, factors.Pivots.AsSpan(0, p), transpose, dense, p, count);
            var packed = new float[triangles.Length];
            triangles.Pack<float>(lu, luTransposed, p, packed);
            GfmmKernels.SparseLuSolve<float>(packed, factors.Pivots.AsSpan(0, p), triangles, transpose, sparse, p, count);
            for (int i = 0; i < dense.Length; i++) sparse[i].ShouldBe(dense[i], 1e-5, $"solve, transpose {transpose}, entry {i}");

            var w = Enumerable.Range(0, p * p).Select(k => k % 9 == 0 ? (float)(random.NextDouble() - 0.5) : 0f).ToArray();
            var entries = SparseEntries.Find<float>(w, p).ShouldNotBeNull();
            var y = Enumerable.Range(0, p * count).Select(_ => (float)random.NextDouble()).ToArray();
            var denseProduct = (float[])y.Clone();
            var sparseProduct = (float[])y.Clone();
            GfmmKernels.MultiplyAdd<float>(w, transpose, panel, denseProduct, p, count);
            var values = Enumerable.Range(0, p).SelectMany(row => entries.Columns[entries.RowStarts[row]..entries.RowStarts[row + 1]].Select(column => w[(row * p) + column])).ToArray();
            GfmmKernels.SparseMultiplyAdd<float>(values, entries, transpose, panel, sparseProduct, p, count);
            for (int i = 0; i < y.Length; i++) sparseProduct[i].ShouldBe(denseProduct[i], 1e-5, $"product, transpose {transpose}, entry {i}");
        }
    }

    [Fact]
    public void A_tensor_with_more_than_one_entry_in_eight_is_not_sparse()
    {
        const int p = 8;
        var w = new float[p * p];
        for (int k = 0; k < 8; k++) w[k * 3] = 1;
        SparseEntries.Find<float>(w, p).ShouldNotBeNull().Count.ShouldBe(8);
        w[1] = 1;
        SparseEntries.Find<float>(w, p).ShouldBeNull();
        SparseEntries.IsSparse(0, 2).ShouldBeFalse("P = 2 gets no sparse kernels");
    }

    [Fact]
    public void The_exact_laplacian_factors_take_the_sparse_path_and_solve_it()
    {
        const int m = 8, p = 8, n = m * p;
        var laplacian = TestOperators.Create("laplacian1d", n);
        var model = ExactFactorization.Build(laplacian.Matrix, n, m, p, scale: laplacian.Scale).Model;
        foreach (var block in new[] { model.L, model.U })
        {
            var factors = DiagonalBlockFactors<float>.TryCreate(block.Store<float>(), out _).ShouldNotBeNull();
            for (int i = 0; i < m; i++)
                SparseTriangles.Find<float>(factors.Factors.AsSpan(i * p * p, p * p), factors.FactorsTransposed.AsSpan(i * p * p, p * p), p)
                    .ShouldNotBeNull($"{block.Kind} G_{i}: bidiagonal");
            for (int t = 0; t < block.Layout.TensorCount; t++)
                if (block.IsStored(t) && !block.Layout.IsDiagonal(t))
                    SparseEntries.Find<float>(block.Tensor(t), p).ShouldNotBeNull().Count.ShouldBe(1, block.Layout.TensorName(t));
        }

        var solver = new GfmmSolver(model);
        var workspace = solver.CreateWorkspace(3);
        const int count = 3;
        var b = Enumerable.Range(0, n * count).Select(i => (float)Math.Sin(0.37 * i + 1)).ToArray();
        var x = new float[b.Length];
        var xt = new float[b.Length];
        solver.Solve(b, x, count, workspace);
        solver.SolveTranspose(b, xt, count, workspace);
        for (int r = 0; r < count; r++)
        {
            var expected = TridiagonalSolve(b.AsSpan(r * n, n));
            // κ(tridiag(-1, 2, -1)) ≈ 1.7e3 at n = 64: float factors give about 1e-7 · κ.
            RelativeError(x.AsSpan(r * n, n), expected).ShouldBeLessThan(1e-3, $"vector {r}");
            RelativeError(xt.AsSpan(r * n, n), expected).ShouldBeLessThan(1e-3, $"vector {r}, transposed (A is symmetric)");
        }
        var single = new float[n];
        solver.Solve(b.AsSpan(0, n), single, solver.CreateWorkspace());
        RelativeError(single, TridiagonalSolve(b.AsSpan(0, n))).ShouldBeLessThan(1e-3, "one vector");
    }

    [Fact]
    public void A_sparse_tensor_filling_a_small_block_is_read_as_that_block_and_a_scattered_one_entry_by_entry()
    {
        const int p = 32;
        var model = GfmmModel.Zero(2, p);
        var layout = model.L.Layout;
        int boxed = layout.LowerBridge(0, 0), scattered = layout.Diagonal(1) == 0 ? 1 : FirstOtherTensor(layout, boxed);
        var random = new Random(3);
        // 40 entries in the leading 11 x 11 block (121 values: under four per entry): the dense kernels on the block win.
        var box = model.L.Tensor(boxed);
        for (int k = 0; k < 40; k++) box[(random.Next(11) * p) + random.Next(11)] = 1 + k;
        box[(10 * p) + 10] = 1;
        // 11 entries on the diagonal of the same block: a block of 11 values per entry, so they stay sparse.
        var diagonal = model.L.Tensor(scattered);
        for (int k = 0; k < 11; k++) diagonal[(k * p) + k] = 1 + k;

        var sparse = GfmmSolverFactors<float>.SparseTensors(model.L.Store<float>());
        SparseEntries.Find<float>(box, p).ShouldNotBeNull("the block's tensor is sparse by the count alone");
        sparse[boxed].ShouldBeNull();
        sparse[scattered].ShouldNotBeNull().Count.ShouldBe(11);
    }

    [Theory]
    [InlineData(GfmmDtype.Float32, 1)]
    [InlineData(GfmmDtype.Float64, 1)]
    [InlineData(GfmmDtype.Float64, 3)]
    public void A_solver_reading_packed_sparse_tensors_inverts_the_models_product(GfmmDtype dtype, int count)
    {
        // Every off-diagonal tensor keeps one entry in eight, scattered over rows and columns (its leading block is the
        // whole tensor), so the solver's copy holds their values alone, in entry order.
        const int m = 8, p = 8, n = m * p;
        var random = new Random(17);
        var model = GfmmRandom.WellConditioned(m, p, seed: 23);
        foreach (var block in new[] { model.L, model.U })
            for (int t = 0; t < block.Layout.TensorCount; t++)
            {
                if (block.Layout.IsDiagonal(t)) continue;
                var kept = Enumerable.Range(0, p * p).OrderBy(_ => random.Next()).Take(p - 1).Append(p * p - 1).ToHashSet();
                var tensor = block.Tensor(t);
                for (int k = 0; k < p * p; k++)
                    if (!kept.Contains(k)) tensor[k] = 0;
            }
        var sparse = GfmmSolverFactors<float>.SparseTensors(model.L.Store<float>());
        Enumerable.Range(0, sparse.Length).Count(t => sparse[t] is not null).ShouldBe(model.L.Layout.TensorCount - m, "every off-diagonal tensor is read entry by entry");
        var reference = model; // float32 weights, which the float64 model holds exactly
        if (dtype == GfmmDtype.Float64) model = model.ToFloat64();
        var solver = new GfmmSolver(model);
        var workspace = solver.CreateWorkspace(count);
        var b = Enumerable.Range(0, n * count).Select(i => Math.Sin(0.37 * i + 1)).ToArray();
        foreach (bool transpose in new[] { false, true })
        {
            var x = new double[b.Length];
            if (dtype == GfmmDtype.Float64)
            {
                if (transpose) solver.SolveTranspose(b, x, count, workspace);
                else solver.Solve(b, x, count, workspace);
            }
            else
            {
                var single = new float[b.Length];
                if (transpose) solver.SolveTranspose(b.Select(v => (float)v).ToArray(), single, count, workspace);
                else solver.Solve(b.Select(v => (float)v).ToArray(), single, count, workspace);
                x = single.Select(v => (double)v).ToArray();
            }
            for (int r = 0; r < count; r++)
            {
                var xr = x.AsSpan(r * n, n).ToArray();
                // s L U x (or s Uᵀ Lᵀ x) in double from the whole tensors.
                var product = transpose
                    ? NaiveGfmm.MultiplyTranspose(reference.U, NaiveGfmm.MultiplyTranspose(reference.L, xr))
                    : NaiveGfmm.Multiply(reference.L, NaiveGfmm.Multiply(reference.U, xr));
                double difference = 0, norm = 0;
                for (int i = 0; i < n; i++)
                {
                    difference += Math.Pow((model.Scale * product[i]) - b[(r * n) + i], 2);
                    norm += b[(r * n) + i] * b[(r * n) + i];
                }
                Math.Sqrt(difference / norm).ShouldBeLessThan(dtype == GfmmDtype.Float64 ? 1e-12 : 1e-4, $"transpose {transpose}, vector {r}");
            }
        }
    }

    private static int FirstOtherTensor(GfmmLayout layout, int except) =>
        Enumerable.Range(0, layout.TensorCount).First(t => t != except && !layout.IsDiagonal(t));

    /// <summary>tridiag(-1, 2, -1) x = b in double (Thomas algorithm).</summary>
    private static double[] TridiagonalSolve(ReadOnlySpan<float> b)
    {
        int n = b.Length;
        var c = new double[n];
        var d = new double[n];
        double pivot = 2;
        c[0] = -1 / pivot;
        d[0] = b[0] / pivot;
        for (int i = 1; i < n; i++)
        {
            pivot = 2 + c[i - 1];
            c[i] = -1 / pivot;
            d[i] = (b[i] + d[i - 1]) / pivot;
        }
        var x = new double[n];
        x[n - 1] = d[n - 1];
        for (int i = n - 2; i >= 0; i--) x[i] = d[i] - c[i] * x[i + 1];
        return x;
    }

    private static double RelativeError(ReadOnlySpan<float> actual, double[] expected)
    {
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }
}

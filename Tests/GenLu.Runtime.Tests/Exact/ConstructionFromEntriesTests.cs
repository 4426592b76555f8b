using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Metrics;
using GenLu.Operators;
using GenLu.Structure;
using GenLu.Tests.Support;

namespace GenLu.Tests.Exact;

/// <summary>
/// The construction from entries (issue 13) against dense double references: the blocks' product against the matrix, the
/// diagonal blocks against the dense construction's (the block LU is unique once the G_i split is fixed), a matrix of known
/// semiseparable rank, the sampled-error estimator against the dense error, and the typed failures.
/// </summary>
public sealed class ConstructionFromEntriesTests
{
    private static double ProductError(GfmmModel model, double[] expected)
    {
        var product = DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U));
        return MatrixNorms.RelativeFrobeniusError(product.Cast<double>().ToArray(), expected);
    }

    [Theory]
    [InlineData(256, 16, 16)]
    [InlineData(512, 16, 32)]
    [InlineData(200, 16, 16)] // padded: the blocks factor A ⊕ I
    public void Rbf_kernel_from_entries_reproduces_the_kernel_to_float_rounding(int n, int m, int p)
    {
        var op = TestOperators.RbfKernel(n);
        var result = ExactFactorization.Build(MatrixEntries.RbfKernel(n), m, p, op.Scale);

        result.Model.N.ShouldBe(n);
        ProductError(result.Model, DenseMath.PaddedWithIdentity(op.Matrix, n, m * p)).ShouldBeLessThan(1e-6);
        result.Truncation.Count.ShouldBe(2);
        result.Truncation.ShouldAllBe(t => t.MaxRank > 0 && t.MaxRank <= p);
    }

    [Fact]
    public void Matern_kernel_entries_are_the_textbook_covariance_and_build_exact_factors()
    {
        // n = 11 points 0, 0.1, …, 1; l = 0.2: r = 0.2 gives √3 r / l = √3, so k = (1 + √3) e^(−√3), divided by 1 + nugget.
        const double nugget = 1e-4;
        var entries = MatrixEntries.Matern32Kernel(11, lengthScale: 0.2, nugget: nugget);
        var values = new double[4];
        entries.Block([0, 2], [2, 2], values);
        values[0].ShouldBe((1 + Math.Sqrt(3)) * Math.Exp(-Math.Sqrt(3)) / (1 + nugget), 1e-15);
        values[2].ShouldBe(1.0, 1e-15); // the diagonal: k(0) + nugget over 1 + nugget
        entries.IsSymmetric.ShouldBeTrue();
        Should.Throw<ArgumentOutOfRangeException>(() => MatrixEntries.Matern32Kernel(8, lengthScale: 0)).ParamName.ShouldBe("lengthScale");

        const int n = 256, m = 16, p = 16;
        var all = Enumerable.Range(0, n).ToArray();
        var dense = new double[n * n];
        MatrixEntries.Matern32Kernel(n).Block(all, all, dense);
        var model = ExactFactorization.Build(MatrixEntries.Matern32Kernel(n), m, p).Model;
        ProductError(model, dense).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void Diagonal_blocks_equal_the_dense_constructions()
    {
        // Block LU without interchanges between blocks is unique given how each Schur block is split (both use LU with
        // partial pivoting), so G_i of L and U must agree with the dense construction's up to the far field's rounding.
        const int n = 256, m = 16, p = 16;
        var op = TestOperators.RbfKernel(n, lengthScale: 0.3);
        var fromEntries = ExactFactorization.Build(MatrixEntries.RbfKernel(n, lengthScale: 0.3), m, p).Model;
        var dense = ExactFactorization.Build(op.Matrix, n, m, p).Model;
        for (int i = 0; i < m; i++)
        {
            foreach (var (a, b) in new[] { (fromEntries.L, dense.L), (fromEntries.U, dense.U) })
            {
                var t = a.Layout.Diagonal(i);
                var x = a.Tensor(t).ToArray().Select(v => (double)v).ToArray();
                var y = b.Tensor(t).ToArray().Select(v => (double)v).ToArray();
                MatrixNorms.RelativeFrobeniusError(x, y).ShouldBeLessThan(1e-4, $"G_{i}");
            }
        }
    }

    /// <summary>
    /// Dense random diagonal blocks, and below / above them sums of three separable terms: every split's rank is at most 3 in
    /// each triangle, so the sweep must find rank 3 and the factors reproduce A to float rounding (not symmetric: two sweeps).
    /// </summary>
    [Fact]
    public void A_matrix_of_semiseparable_rank_three_gets_rank_three_and_exact_factors()
    {
        const int m = 16, p = 8, n = m * p;
        var random = new Random(3);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double x = i / (double)n, y = j / (double)n;
                a[(i * n) + j] = (i / p) == (j / p)
                    ? random.NextDouble() - 0.5 + (i == j ? 4 : 0)
                    : i > j
                        ? Math.Cos(3 * x) * Math.Sin(2 * y) + (x * x * y) + Math.Exp(-x - y)
                        : Math.Sin(5 * x) * y + (0.5 * x * Math.Cos(y)) - (0.25 * Math.Exp(x * 0) * y * y);
            }
        }

        var result = ExactFactorization.Build(MatrixEntries.FromDense(a, n), m, p, tolerance: 1e-13);

        result.Truncation.Select(t => t.MaxRank).ShouldBe([3, 3]);
        ProductError(result.Model, a).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void Laplacian_from_entries_matches_its_sparse_construction()
    {
        const int n = 96, m = 8, p = 12;
        var op = TestOperators.Laplacian1d(n);
        var model = ExactFactorization.Build(MatrixEntries.FromDense(op.Matrix, n, isSymmetric: true), m, p).Model;

        ProductError(model, op.Matrix).ShouldBeLessThan(1e-6);
        new GfmmSolver(model).LogDeterminant.LogAbsoluteValue.ShouldBe(Math.Log(n + 1), 1e-4); // det tridiag(−1, 2, −1) = n + 1
    }

    [Fact]
    public void Sampled_error_over_every_row_equals_the_dense_error()
    {
        // A model far from the matrix, so float rounding of the products cannot blur the comparison.
        const int m = 4, p = 8, n = m * p;
        var model = GfmmRandom.WellConditioned(m, p, seed: 11);
        var op = TestOperators.RbfKernel(n);
        var estimate = SampledError.Estimate(model, MatrixEntries.FromDense(op.Matrix, n), rows: n);

        var product = DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U));
        double dense = MatrixNorms.RelativeFrobeniusError(product.Cast<double>().ToArray(), op.Matrix);
        estimate.Rows.ShouldBe(n);
        estimate.RelativeFrobenius.ShouldBe(dense, 1e-5 * dense);
    }

    [Fact]
    public void Sampled_error_of_a_few_rows_sees_a_known_shift_in_every_batch()
    {
        // A = (L U) + δ everywhere: every sampled row's error is δ in each entry, whichever batch of unit vectors it was in.
        // 20 rows of 64 take the sparse draw and three product batches (8, 8, 4).
        const int m = 8, p = 8, n = m * p;
        const double shift = 1e-2;
        var model = GfmmRandom.WellConditioned(m, p, seed: 5);
        var shifted = DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U)).Cast<double>().Select(v => v + shift).ToArray();
        var estimate = SampledError.Estimate(model, MatrixEntries.FromDense(shifted, n), rows: 20, seed: 8);

        estimate.Rows.ShouldBe(20);
        estimate.MaxAbsolute.ShouldBe(shift, 1e-4 * shift);
        // The relative error is δ √n over a root-mean-square row norm: between the extremes over all rows.
        var rowRelative = Enumerable.Range(0, n).Select(i => shift * Math.Sqrt(n) / Math.Sqrt(shifted.Skip(i * n).Take(n).Sum(v => v * v))).ToArray();
        estimate.RelativeFrobenius.ShouldBeInRange(rowRelative.Min() * (1 - 1e-4), rowRelative.Max() * (1 + 1e-4));
    }

    [Theory]
    [InlineData("rbf")]
    [InlineData("matern32")]
    public void Kernel_entries_do_not_depend_on_the_block_they_are_read_in(string kernel)
    {
        // Every entry is one formula of its index distance: a block, its transpose and a block of 300 columns give the same
        // bits as the whole matrix (the sweep reads Aᵀ's entries as A's), and agree with the textbook kernel to rounding.
        const int n = 333;
        const double lengthScale = 0.15, nugget = 1e-3;
        var entries = kernel == "rbf" ? MatrixEntries.RbfKernel(n, lengthScale, nugget) : MatrixEntries.Matern32Kernel(n, lengthScale, nugget);
        var all = Enumerable.Range(0, n).ToArray();
        var whole = new double[n * n];
        entries.Block(all, all, whole);
        int[] rows = [5, 0, 332, 17, 100], columns = [.. Enumerable.Range(20, 300).Reverse()];
        var block = new double[rows.Length * columns.Length];
        var transposed = new double[rows.Length * columns.Length];
        entries.Block(rows, columns, block);
        entries.Block(columns, rows, transposed);
        for (int r = 0; r < rows.Length; r++)
        {
            for (int c = 0; c < columns.Length; c++)
            {
                int i = rows[r], j = columns[c];
                block[(r * columns.Length) + c].ShouldBe(whole[(i * n) + j]);
                transposed[(c * rows.Length) + r].ShouldBe(whole[(i * n) + j]);
                double distance = Math.Abs(i - j) / (n - 1.0), s = Math.Sqrt(3) * distance / lengthScale;
                double k = kernel == "rbf" ? Math.Exp(-distance * distance / (2 * lengthScale * lengthScale)) : (1 + s) * Math.Exp(-s);
                whole[(i * n) + j].ShouldBe((k + (i == j ? nugget : 0)) / (1 + nugget), 1e-14);
            }
        }
    }

    [Fact]
    public void Sampled_error_of_a_kernel_build_is_small_and_samples_what_was_asked()
    {
        const int n = 300;
        var entries = MatrixEntries.RbfKernel(n);
        var model = ExactFactorization.Build(entries, 16, 32).Model;
        var estimate = SampledError.Estimate(model, entries, rows: 20, seed: 4);
        estimate.Rows.ShouldBe(20);
        estimate.RelativeFrobenius.ShouldBeLessThan(1e-6);
        estimate.MaxAbsolute.ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void A_singular_Schur_block_is_named()
    {
        // A = [I  B; C  C B] with B, C rank one: the Schur complement of block 1 is C B − C I⁻¹ B = 0.
        const int m = 2, p = 4, n = m * p;
        var a = new double[n * n];
        double[] u = [1, 2, 3, 4], v = [1, -1, 2, 1];
        for (int i = 0; i < p; i++)
        {
            a[(i * n) + i] = 1;
            for (int j = 0; j < p; j++)
            {
                a[(i * n) + p + j] = u[i] * v[j];               // B = u vᵀ
                a[((p + i) * n) + j] = v[i] * u[j];             // C = v uᵀ
            }
        }

        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < p; j++)
            {
                double cb = 0;
                for (int k = 0; k < p; k++) cb += a[((p + i) * n) + k] * a[(k * n) + p + j];
                a[((p + i) * n) + p + j] = cb;
            }
        }

        var e = Should.Throw<SingularSchurBlockException>(() => ExactFactorization.Build(MatrixEntries.FromDense(a, n), m, p));
        e.Block.ShouldBe(1);
    }

    [Fact]
    public void Non_finite_entries_and_cancellation_are_refused()
    {
        const int n = 32;
        var a = TestOperators.RbfKernel(n).Matrix;
        a[(5 * n) + 7] = double.NaN;
        Should.Throw<ArgumentException>(() => ExactFactorization.Build(MatrixEntries.FromDense(a, n), 4, 8)).Message.ShouldContain("(5, 7)");

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Should.Throw<OperationCanceledException>(() => ExactFactorization.Build(MatrixEntries.RbfKernel(n), 4, 8, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Lazy_kernel_entries_equal_the_dense_operator()
    {
        const int n = 41;
        var op = TestOperators.RbfKernel(n, lengthScale: 0.1, nugget: 0.01);
        var entries = MatrixEntries.RbfKernel(n, lengthScale: 0.1, nugget: 0.01);
        var all = Enumerable.Range(0, n).ToArray();
        var values = new double[n * n];
        entries.Block(all, all, values);
        values.ShouldBe(op.Matrix); // same arithmetic, same bits
    }

    [Theory]
    [InlineData(true, 203)]
    [InlineData(false, 203)] // not a multiple of P = 16: the last leaf is padded inside and cut off again
    [InlineData(false, 208)] // 13 leaves exactly: the product runs in place in x and y
    public void The_compressed_operator_applies_A_and_its_transpose_to_double_precision(bool symmetric, int n)
    {
        var random = new Random(5);
        var a = symmetric ? TestOperators.RbfKernel(n).Matrix : NonSymmetricKernel(n);
        var compressed = SemiseparableMatrix.Compress(MatrixEntries.FromDense(a, n, symmetric), p: 16, scale: 2.5);
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var y = new double[n];
        var yt = new double[n];
        compressed.Apply(x, y);
        compressed.ApplyTranspose(x, yt);

        var dense = DenseMath.Scale(DenseMath.FromRowMajor(a, n), 2.5);
        DenseMath.RelativeError(DenseMath.Multiply(dense, x), y).ShouldBeLessThan(1e-12);
        DenseMath.RelativeError(DenseMath.Multiply(dense, x, transpose: true), yt).ShouldBeLessThan(1e-12);
        compressed.Ranks.Lower.ShouldBeLessThanOrEqualTo(16);
    }

    [Fact]
    public void A_float64_model_from_entries_solves_an_ill_conditioned_kernel_far_better_than_float32()
    {
        // nugget 1e-7: cond near 1e8 and more; the float64 factors keep the double construction's digits.
        const int n = 200, m = 8, p = 32;
        var op = TestOperators.RbfKernel(n, lengthScale: 0.2, nugget: 1e-7);
        var entries = MatrixEntries.RbfKernel(n, lengthScale: 0.2, nugget: 1e-7);
        DenseMath.ConditionNumber1(op.Matrix, n).ShouldBeGreaterThan(1e8);
        var x = Enumerable.Range(0, n).Select(i => Math.Cos(i * 0.1)).ToArray();
        var b = DenseMath.Multiply(DenseMath.FromRowMajor(op.Matrix, n), x);

        double Error(GfmmDtype dtype)
        {
            var model = ExactFactorization.Build(entries, m, p, dtype: dtype).Model;
            model.Dtype.ShouldBe(dtype);
            // The sampled-row error in the model's own type: float64 keeps the double construction's accuracy.
            SampledError.Estimate(model, entries, rows: 10).RelativeFrobenius.ShouldBeLessThan(dtype == GfmmDtype.Float64 ? 1e-11 : 1e-6);
            var solver = new GfmmSolver(model);
            if (dtype == GfmmDtype.Float64)
            {
                var solution = new double[n];
                solver.Solve(b, solution, solver.CreateWorkspace());
                return DenseMath.RelativeError(x, solution);
            }

            var single = new float[n];
            solver.Solve(b.Select(v => (float)v).ToArray(), single);
            return DenseMath.RelativeError(x, single);
        }

        double float64 = Error(GfmmDtype.Float64), float32 = Error(GfmmDtype.Float32);
        float64.ShouldBeLessThan(1e-5);
        float32.ShouldBeGreaterThan(100 * float64);
    }

    /// <summary>exp(−|x − y|) · (1 + x) on a grid: smooth off the diagonal, semiseparable, not symmetric.</summary>
    private static double[] NonSymmetricKernel(int n)
    {
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double x = i / (double)n, y = j / (double)n;
                a[(i * n) + j] = Math.Exp(-Math.Abs(x - y) * 3) * (1 + x) + (i == j ? 1 : 0);
            }
        }

        return a;
    }
}

using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Metrics;
using GenLu.Operators;
using GenLu.Sparse;
using GenLu.Tests.IO;
using GenLu.Tests.Support;

namespace GenLu.Tests.Exact;

/// <summary>
/// The exact construction for any order N ≤ M P (the blocks factor A ⊕ I) and from a CSR matrix through its block band:
/// the blocks' own dense product against the padded matrix, the sparse build against the dense build of the densified
/// matrix, and the sparse build's allocation against O(nnz + N P).
/// </summary>
[Collection(AllocationMeasurement.Name)]
public sealed class SparseAndPaddedConstructionTests
{
    [Fact]
    public void Padded_factors_of_order_37_reproduce_A_direct_sum_identity_to_float_rounding()
    {
        const int n = 37, m = 8, p = 8;
        var a = RandomBanded(n, lower: 6, upper: 8, seed: 37).ToDense().Values;

        var model = ExactFactorization.Build(a, n, m, p).Model;

        model.N.ShouldBe(n);
        model.PaddedN.ShouldBe(m * p);
        var product = DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U));
        var expected = DenseMath.PaddedWithIdentity(a, n, m * p);
        MatrixNorms.RelativeFrobeniusError(product.Cast<double>().ToArray(), expected).ShouldBeLessThan(2e-7);
    }

    [Fact]
    public void Padded_dense_factors_of_a_kernel_matrix_match_the_padded_operator()
    {
        // A dense operator with a compressible far field: the padding must not disturb the far-field bases.
        var op = TestOperators.RbfKernel(45);
        var model = ExactFactorization.Build(op.Matrix, op.N, 4, 16, op.Scale).Model;

        var product = DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U));
        MatrixNorms.RelativeFrobeniusError(product.Cast<double>().ToArray(), DenseMath.PaddedWithIdentity(op.Matrix, op.N, 64)).ShouldBeLessThan(1e-5);
    }

    public static TheoryData<string, int, int, int> SparseCases() => new()
    {
        { "laplacian2d grid 16 (bandwidth 16 = 2 blocks)", 256, 32, 8 },
        { "laplacian2d grid 10, padded to 128", 100, 16, 8 },
        { "banded lower 3, upper 17, padded", 90, 16, 8 },
        { "band covering every block (dense store)", 60, 8, 8 },
        { "tridiagonal (no far field)", 50, 8, 8 },
    };

    [Theory]
    [MemberData(nameof(SparseCases))]
    public void Csr_build_equals_the_dense_build_of_the_densified_matrix(string name, int n, int m, int p)
    {
        var csr = SparseCase(name, n);
        var dense = csr.ToDense().Values;

        var fromCsr = ExactFactorization.Build(csr, m, p, scale: 2.5);
        var fromDense = ExactFactorization.Build(dense, n, m, p, scale: 2.5);

        fromCsr.Model.N.ShouldBe(n);
        fromCsr.Model.Scale.ShouldBe(2.5);
        // The bases may differ in sign between the two (Householder sees other column orders), so compare what they
        // represent: each factor's dense form, and the ranks the truncation kept.
        foreach (var (sparseBlock, denseBlock) in new[] { (fromCsr.Model.L, fromDense.Model.L), (fromCsr.Model.U, fromDense.Model.U) })
        {
            var expected = NaiveGfmm.Dense(denseBlock).Cast<double>().ToArray();
            MatrixNorms.RelativeFrobeniusError(NaiveGfmm.Dense(sparseBlock).Cast<double>().ToArray(), expected).ShouldBeLessThan(1e-6);
        }

        fromCsr.Truncation.Select(t => (t.Factor, t.Side, t.Level, t.MaxRank))
            .ShouldBe(fromDense.Truncation.Select(t => (t.Factor, t.Side, t.Level, t.MaxRank)));
        var product = DenseMath.Multiply(NaiveGfmm.Dense(fromCsr.Model.L), NaiveGfmm.Dense(fromCsr.Model.U));
        // Only the tridiagonal case has no far field to truncate at P = 8; the others are checked against the dense build above.
        if (name.StartsWith("tridiagonal", StringComparison.Ordinal))
            MatrixNorms.RelativeFrobeniusError(product.Cast<double>().ToArray(), DenseMath.PaddedWithIdentity(dense, n, m * p)).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void Banded_csr_build_allocates_in_proportion_to_nnz_plus_N_P_and_has_no_far_field()
    {
        const int n = 4096, p = 16, m = n / p;
        var laplacian = Tridiagonal(n);
        ExactFactorization.Build(Tridiagonal(64), 4, p); // JIT and static state outside the measurement

        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = ExactFactorization.Build(laplacian, m, p);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Dense would be N² · 8 = 134 MB; the band store is 3 P doubles a row and the blocks' weights O(N P log M).
        long linear = ((long)laplacian.NonZeroCount + ((long)n * p)) * sizeof(double);
        allocated.ShouldBeLessThan(40 * linear);
        result.Truncation.ShouldAllBe(t => t.MaxRank == 0);

        var x = new double[n];
        var random = new Random(3);
        for (int i = 0; i < n; i++) x[i] = random.NextDouble() - 0.5;
        var ax = new double[n];
        laplacian.Apply(x, ax);
        var lux = NaiveGfmm.Multiply(result.Model.L, NaiveGfmm.Multiply(result.Model.U, x));
        double error = Math.Sqrt(lux.Zip(ax, (u, v) => (u - v) * (u - v)).Sum()) / Math.Sqrt(ax.Sum(v => v * v));
        error.ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void A_sparse_matrix_without_a_usable_band_above_the_dense_limit_is_refused_before_allocating()
    {
        const int n = 20_000;
        var builder = new CsrBuilder(n, n);
        for (int i = 0; i < n; i++) builder.Add(i, i, 1);
        builder.Add(0, n - 1, 0.5);
        builder.Add(n - 1, 0, 0.5);
        var matrix = builder.Build();

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Should.Throw<ArgumentException>(() => ExactFactorization.Build(matrix, 1024, 32));
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1L << 20);
        error.Message.ShouldContain("no usable band");
        error.Message.ShouldContain("2 GiB");
    }

    [Fact]
    public void Orders_beyond_M_P_are_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => ExactFactorization.Build(new double[81], 9, 2, 4)).ParamName.ShouldBe("n");
        Should.Throw<ArgumentOutOfRangeException>(() => ExactFactorization.Build(Tridiagonal(9), 2, 4)).ParamName.ShouldBe("a");
        Should.Throw<ArgumentException>(() => ExactFactorization.Build(new CsrBuilder(3, 4).Build(), 2, 4)).Message.ShouldContain("not square");
    }

    private static CsrMatrix SparseCase(string name, int n) => name switch
    {
        _ when name.StartsWith("laplacian2d", StringComparison.Ordinal) => FromDense(TestOperators.Laplacian2d((int)Math.Round(Math.Sqrt(n))).Matrix, n),
        _ when name.StartsWith("banded", StringComparison.Ordinal) => RandomBanded(n, lower: 3, upper: 17, seed: 90),
        _ when name.StartsWith("band covering", StringComparison.Ordinal) => RandomBanded(n, lower: 59, upper: 40, seed: 60),
        _ => Tridiagonal(n),
    };

    /// <summary>The 1D Laplacian tridiag(−1, 2, −1) of order n.</summary>
    private static CsrMatrix Tridiagonal(int n)
    {
        var builder = new CsrBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            builder.Add(i, i, 2);
            if (i > 0) builder.Add(i, i - 1, -1);
            if (i + 1 < n) builder.Add(i, i + 1, -1);
        }

        return builder.Build();
    }

    /// <summary>A random matrix with the given bandwidths and a dominant diagonal (so every Schur block is regular).</summary>
    private static CsrMatrix RandomBanded(int n, int lower, int upper, int seed)
    {
        var random = new Random(seed);
        var builder = new CsrBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            for (int j = Math.Max(0, i - lower); j <= Math.Min(n - 1, i + upper); j++)
                builder.Add(i, j, i == j ? lower + upper + 2 : (2 * random.NextDouble()) - 1);
        }

        return builder.Build();
    }

    private static CsrMatrix FromDense(double[] a, int n)
    {
        var builder = new CsrBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (a[(i * n) + j] != 0) builder.Add(i, j, a[(i * n) + j]);
            }
        }

        return builder.Build();
    }

    /// <summary>A ⊕ I of order <paramref name="padded"/>, row-major.</summary>
}

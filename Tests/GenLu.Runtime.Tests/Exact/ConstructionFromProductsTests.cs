using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Metrics;
using GenLu.Operators;
using GenLu.Solvers;
using GenLu.Tests.Support;

namespace GenLu.Tests.Exact;

/// <summary>
/// The construction from products only (issue 13's stretch): <see cref="HodlrMatrix.FromProducts"/> against dense double
/// matrices (every entry, both products, a known rank), the factors built from it against the kernel, the product-based
/// error estimator against the dense error, and the typed failures.
/// </summary>
public sealed class ConstructionFromProductsTests
{
    private static double[] AllEntries(IMatrixEntries a)
    {
        var all = Enumerable.Range(0, a.Order).ToArray();
        var values = new double[a.Order * a.Order];
        a.Block(all, all, values);
        return values;
    }

    [Theory]
    [InlineData(300, 16)] // not a power of two: ranges of 9 and 10 rows at the leaves
    [InlineData(1024, 32)]
    public void A_symmetric_kernel_from_products_reproduces_every_entry(int n, int leafSize)
    {
        var a = TestOperators.RbfKernel(n).Matrix;
        int calls = 0;
        var op = LinearOperator.FromDense(a, n);
        var counted = LinearOperator.FromDelegate(n, (x, y) =>
        {
            calls++;
            op.Apply(x, y);
        });

        var hodlr = HodlrMatrix.FromProducts(counted, isSymmetric: true, leafSize: leafSize, maxRank: 24);

        MatrixNorms.RelativeFrobeniusError(AllEntries(hodlr), a).ShouldBeLessThan(1e-10);
        hodlr.IsSymmetric.ShouldBeTrue();
        hodlr.Products.ShouldBe(calls);
        // Four norm vectors, at most 2 (24 + 10) per level and one per row of the widest leaf.
        hodlr.Products.ShouldBeLessThanOrEqualTo(4 + (hodlr.Depth * 2 * 34) + leafSize);
        hodlr.Levels.Count.ShouldBe(hodlr.Depth);
        hodlr.Levels.ShouldAllBe(level => level.MaxRank > 0 && level.MaxRank <= 24 && level.SaturatedBlocks == 0);
        // O(N r log N) numbers, far fewer than the N² of the dense matrix at N = 1024.
        if (n == 1024) hodlr.StoredNumbers.ShouldBeLessThan((long)n * n / 4);
    }

    [Fact]
    public void A_non_symmetric_matrix_of_off_diagonal_rank_three_gets_rank_three_and_exact_products()
    {
        // A = D + X Yᵀ with X, Y of three columns and D diagonal: every off-diagonal block has rank 3 exactly.
        const int n = 200, leaf = 16;
        var random = new Random(7);
        var x = Enumerable.Range(0, n * 3).Select(_ => random.NextDouble() - 0.5).ToArray();
        var y = Enumerable.Range(0, n * 3).Select(_ => random.NextDouble() - 0.5).ToArray();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[(i * n) + j] = (x[i * 3] * y[j * 3]) + (x[(i * 3) + 1] * y[(j * 3) + 1]) + (x[(i * 3) + 2] * y[(j * 3) + 2])
                    + (i == j ? 3 + random.NextDouble() : 0);
            }
        }

        var hodlr = HodlrMatrix.FromProducts(LinearOperator.FromDense(a, n), isSymmetric: false, leafSize: leaf, maxRank: 8, seed: 4);

        hodlr.Levels.Select(level => level.MaxRank).ShouldAllBe(rank => rank == 3);
        hodlr.Levels.ShouldAllBe(level => level.LargestDiscarded < 1e-12);
        MatrixNorms.RelativeFrobeniusError(AllEntries(hodlr), a).ShouldBeLessThan(1e-12);

        var v = DenseMath.RandomVector(n, random);
        var w = DenseMath.RandomVector(n, random);
        var av = new double[n];
        var atw = new double[n];
        hodlr.Apply(v, av);
        hodlr.ApplyTranspose(w, atw);
        var dense = DenseMath.FromRowMajor(a, n);
        DenseMath.RelativeError(DenseMath.Multiply(dense, v), av).ShouldBeLessThan(1e-12);
        DenseMath.RelativeError(DenseMath.Multiply(dense, w, transpose: true), atw).ShouldBeLessThan(1e-12);
        // <Aᵀ w, v> = <w, A v> for the compressed matrix itself.
        atw.Zip(v, (p, q) => p * q).Sum().ShouldBe(w.Zip(av, (p, q) => p * q).Sum(), 1e-12 * DenseMath.Norm(atw) * DenseMath.Norm(v));
    }

    [Fact]
    public void Factors_built_from_products_reproduce_the_kernel_and_the_product_estimate_sees_their_error()
    {
        const int n = 512, m = 16, p = 32;
        var op = TestOperators.RbfKernel(n);
        var operatorA = LinearOperator.FromDense(op.Matrix, n);
        var progress = new List<ExactProgress>();
        var hodlr = HodlrMatrix.FromProducts(operatorA, isSymmetric: true, leafSize: p, maxRank: p, progress: new Synchronous(progress));

        var result = ExactFactorization.Build(hodlr, m, p, op.Scale);

        var product = DenseMath.Multiply(NaiveGfmm.Dense(result.Model.L), NaiveGfmm.Dense(result.Model.U));
        double dense = MatrixNorms.RelativeFrobeniusError(product.Cast<double>().ToArray(), op.Matrix);
        dense.ShouldBeLessThan(1e-6);
        double estimate = SampledError.EstimateByProducts(result.Model, operatorA, vectors: 16).RelativeFrobenius;
        estimate.ShouldBeLessThan(1e-6);
        estimate.ShouldBeGreaterThan(0);
        progress.ShouldAllBe(report => report.Stage == ExactStage.Sampling);
        progress.Select(report => report.Done).ShouldBe(Enumerable.Range(1, hodlr.Depth + 1));
    }

    [Fact]
    public void The_product_error_estimate_is_near_the_dense_error_of_a_model_far_from_the_matrix()
    {
        const int m = 4, p = 8, n = m * p;
        var model = GfmmRandom.WellConditioned(m, p, seed: 11);
        var a = TestOperators.RbfKernel(n).Matrix;
        var product = DenseMath.Multiply(NaiveGfmm.Dense(model.L), NaiveGfmm.Dense(model.U));
        double dense = MatrixNorms.RelativeFrobeniusError(product.Cast<double>().ToArray(), a);

        var estimate = SampledError.EstimateByProducts(model, LinearOperator.FromDense(a, n), vectors: 400, seed: 2);

        estimate.Vectors.ShouldBe(400);
        // E ‖E g‖² = ‖E‖_F² and E ‖A g‖² = ‖A‖_F²; 400 vectors bring the ratio within a few per cent.
        estimate.RelativeFrobenius.ShouldBe(dense, 0.1 * dense);
    }

    [Fact]
    public void A_rank_cap_below_the_blocks_rank_is_reported_as_saturated()
    {
        const int n = 128;
        var random = new Random(9);
        var a = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() - 0.5).ToArray();

        var capped = HodlrMatrix.FromProducts(LinearOperator.FromDense(a, n), isSymmetric: false, leafSize: 16, maxRank: 4, oversampling: 4);
        capped.Levels.ShouldAllBe(level => level.SaturatedBlocks == 1 << level.Level && level.MaxRank == 4);
        MatrixNorms.RelativeFrobeniusError(AllEntries(capped), a).ShouldBeGreaterThan(0.5);

        // With a cap above every block's order the sample spans each block and the compression is exact.
        var full = HodlrMatrix.FromProducts(LinearOperator.FromDense(a, n), isSymmetric: false, leafSize: 16, maxRank: 64);
        full.Levels.ShouldAllBe(level => level.SaturatedBlocks == 0);
        MatrixNorms.RelativeFrobeniusError(AllEntries(full), a).ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void Bad_products_missing_transposes_and_cancellation_are_refused_with_typed_errors()
    {
        const int n = 64;
        var a = TestOperators.RbfKernel(n).Matrix;
        var op = LinearOperator.FromDense(a, n);
        var poisoned = LinearOperator.FromDelegate(n, (x, y) =>
        {
            op.Apply(x, y);
            y[17] = double.NaN;
        });
        Should.Throw<ArgumentException>(() => HodlrMatrix.FromProducts(poisoned, isSymmetric: true, leafSize: 8)).Message.ShouldContain("row 17");

        var forwardOnly = LinearOperator.FromDelegate(n, op.Apply);
        Should.Throw<NotSupportedException>(() => HodlrMatrix.FromProducts(forwardOnly, isSymmetric: false, leafSize: 8));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Should.Throw<OperationCanceledException>(() => HodlrMatrix.FromProducts(op, isSymmetric: true, cancellationToken: cancelled.Token));
        Should.Throw<ArgumentOutOfRangeException>(() => HodlrMatrix.FromProducts(op, isSymmetric: true, tolerance: double.NaN));
        Should.Throw<ArgumentOutOfRangeException>(() => HodlrMatrix.FromProducts(op, isSymmetric: true, leafSize: 0));
    }

    [Fact]
    public void A_matrix_no_larger_than_a_leaf_is_its_one_dense_block()
    {
        var a = new double[] { 4, 1, 2, 3 };
        var hodlr = HodlrMatrix.FromProducts(LinearOperator.FromDense(a, 2), isSymmetric: false, leafSize: 8);
        hodlr.Depth.ShouldBe(0);
        AllEntries(hodlr).ShouldBe(a, 1e-15);
        hodlr.Products.ShouldBe(4 + 2); // the norm vectors, then the two columns of the leaf
    }

    [Fact]
    public void A_block_operator_gets_whole_blocks_and_gives_the_same_matrix()
    {
        const int n = 256;
        var a = TestOperators.RbfKernel(n).Matrix;
        var op = LinearOperator.FromDense(a, n);
        var block = new BlockOperator(op);

        var fromBlocks = HodlrMatrix.FromProducts(block, isSymmetric: true, leafSize: 16, maxRank: 16);
        var fromVectors = HodlrMatrix.FromProducts(op, isSymmetric: true, leafSize: 16, maxRank: 16);

        // The norm probe, two blocks per level (samples, then the projection), the diagonal's identities.
        block.Calls.ShouldBe(1 + (2 * fromBlocks.Depth) + 1);
        block.Vectors.ShouldBe(fromBlocks.Products);
        fromBlocks.Products.ShouldBe(fromVectors.Products);
        AllEntries(fromBlocks).ShouldBe(AllEntries(fromVectors)); // the same products, so the same numbers
    }

    /// <summary>A dense operator that also takes blocks of vectors, counting its block calls.</summary>
    private sealed class BlockOperator(LinearOperator inner) : IBlockLinearOperator
    {
        public int Calls { get; private set; }

        public int Vectors { get; private set; }

        public int Order => inner.Order;

        public void Apply(ReadOnlySpan<double> x, Span<double> y) => throw new InvalidOperationException("The sampler should pass whole blocks.");

        public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y) => throw new InvalidOperationException("The sampler should pass whole blocks.");

        public void Apply(ReadOnlySpan<double> x, Span<double> y, int count)
        {
            Calls++;
            Vectors += count;
            for (int t = 0; t < count; t++) inner.Apply(x.Slice(t * Order, Order), y.Slice(t * Order, Order));
        }

        public void ApplyTranspose(ReadOnlySpan<double> x, Span<double> y, int count) => throw new NotSupportedException();
    }

    /// <summary>Collects reports on the reporting thread (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Synchronous(List<ExactProgress> reports) : IProgress<ExactProgress>
    {
        public void Report(ExactProgress value) => reports.Add(value);
    }
}

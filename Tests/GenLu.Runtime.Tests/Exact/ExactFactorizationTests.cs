using GenLu.Exact;
using GenLu.Metrics;
using GenLu.Operators;
using GenLu.Tests.Support;
using GenLu.Gfmm;

namespace GenLu.Tests.Exact;

public class ExactFactorizationTests
{
    public static TheoryData<string> BandedOperators() =>
        new("laplacian1d", "laplacian2d", "convdiff1d", "convdiff2d", "biharmonic1d", "biharmonic2d");

    [Theory]
    [MemberData(nameof(BandedOperators))]
    public void Banded_operators_are_reproduced_to_float32_rounding_with_no_far_field(string name)
    {
        var op = TestOperators.Create(name, TestOperators.All.Single(d => d.Name == name).IsGrid ? 16 : 256);
        var result = ExactFactorization.Build(op.Matrix, op.N, 8, 32, op.Scale);

        result.Model.Scale.ShouldBe(op.Scale);
        result.Model.Provenance.Construction!.Method.ShouldBe(ConstructionProvenance.ExactMethod);
        FarFieldTensorsAreAbsent(result.Model.L).ShouldBeTrue();
        FarFieldTensorsAreAbsent(result.Model.U).ShouldBeTrue();
        result.Truncation.ShouldAllBe(t => t.MaxRank == 0 && t.LargestDiscarded == 0);

        var (error, norm) = ProductError(result.Model, op.Matrix);
        error.ShouldBeLessThan(1e-5);
        (error / norm).ShouldBeLessThan(1e-6);
    }

    [Theory]
    [MemberData(nameof(BandedOperators))]
    public void Structured_solves_with_banded_factors_have_float32_backward_error_against_the_true_right_hand_side(string name)
    {
        var op = TestOperators.Create(name, TestOperators.All.Single(d => d.Name == name).IsGrid ? 16 : 256);
        var model = ExactFactorization.Build(op.Matrix, op.N, 8, 32, op.Scale).Model;

        // The factors reproduce A to ~1e-7 relative, so a backward-stable float32 solve must stay near float32 rounding.
        BackwardError(model, op.Matrix, seed: 7).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void Rbf_kernel_is_compressed_to_float32_level()
    {
        var op = TestOperators.RbfKernel(256);
        var result = ExactFactorization.Build(op.Matrix, op.N, 8, 32, op.Scale);
        var (error, norm) = ProductError(result.Model, op.Matrix);
        (error / norm).ShouldBeLessThan(1e-5);
        BackwardError(result.Model, op.Matrix, seed: 3).ShouldBeLessThan(1e-5);
        result.Truncation.Where(t => t.Level == 1).ShouldAllBe(t => t.MaxRank > 0 && t.MaxRank <= 32);
    }

    [Fact]
    public void A_matrix_of_hierarchical_rank_below_P_is_recovered()
    {
        // Far field of rank r; a node's far block row excludes its one neighbour pair (held by the level-0 bridge),
        // which can raise its rank to 2r: r = 3 keeps that below P = 8, so nothing may be discarded.
        const int m = 8, p = 8, rank = 3;
        var (a, l0, u0) = HierarchicalProduct(m, p, rank, seed: 11);
        var result = ExactFactorization.Build(a, m * p, m, p);

        result.Truncation.ShouldAllBe(t => t.MaxRank >= rank && t.MaxRank <= 2 * rank && t.LargestDiscarded < 1e-9);
        MatrixNorms.RelativeFrobeniusError(Dense(result.Model.L), l0).ShouldBeLessThan(1e-6);
        MatrixNorms.RelativeFrobeniusError(Dense(result.Model.U), u0).ShouldBeLessThan(1e-6);
        var (error, norm) = ProductError(result.Model, a);
        (error / norm).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void With_rank_above_P_the_reported_truncation_bounds_and_matches_the_factor_error()
    {
        const int m = 8, p = 4, rank = 12;
        var (a, l0, u0) = HierarchicalProduct(m, p, rank, seed: 5);
        var result = ExactFactorization.Build(a, m * p, m, p);

        result.Truncation.ShouldContain(t => t.MaxRank == p && t.LargestDiscarded > 1e-2);
        foreach (var (factor, exact) in new[] { (ExactFactor.L, l0), (ExactFactor.U, u0) })
        {
            var block = factor == ExactFactor.L ? result.Model.L : result.Model.U;
            double error = MatrixNorms.Frobenius(Subtract(Dense(block), exact));
            double bound = result.FarFieldErrorBound(factor);

            // Rigorous: orthogonal nested projections lose at most the discarded singular values (plus float32 rounding).
            error.ShouldBeLessThanOrEqualTo(bound + (1e-6 * MatrixNorms.Frobenius(exact)));

            // And the report is not a loose over-estimate: the error is of the same order as what was discarded.
            error.ShouldBeGreaterThan(bound / 4);
        }
    }

    [Fact]
    public void A_singular_Schur_block_is_reported_by_its_index()
    {
        // [[2I, 2I], [2I, 2I]]: the first block is fine, the Schur complement 2I - 2I (2I)^-1 2I of block 1 is exactly zero.
        const int p = 3, n = 6;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            a[(i * n) + (i % p)] = 2;
            a[(i * n) + (i % p) + p] = 2;
        }

        var error = Should.Throw<SingularSchurBlockException>(() => ExactFactorization.Build(a, n, 2, p));
        error.Block.ShouldBe(1);
        error.Message.ShouldContain("Schur complement block 1 (rows and columns 3..5) is singular");
    }

    [Fact]
    public void A_singular_leading_block_is_block_zero()
    {
        // [[0, J], [J, I]] with J = [[1, 0], [0, 0]]: invertible only with pivoting across blocks; block 0 is singular.
        var a = new double[16];
        a[(2 * 4) + 0] = 1;
        a[(0 * 4) + 2] = 1;
        a[(2 * 4) + 2] = 1;
        a[(3 * 4) + 3] = 1;
        Should.Throw<SingularSchurBlockException>(() => ExactFactorization.Build(a, 4, 2, 2)).Block.ShouldBe(0);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Should.Throw<ArgumentException>(() => ExactFactorization.Build(new double[10], 4, 2, 2)).ParamName.ShouldBe("a");
        Should.Throw<ArgumentOutOfRangeException>(() => ExactFactorization.Build(new double[36], 6, 3, 2)).ParamName.ShouldBe("m");
        var identity = new double[16];
        for (int i = 0; i < 4; i++)
        {
            identity[(i * 4) + i] = 1;
        }

        Should.Throw<ArgumentOutOfRangeException>(() => ExactFactorization.Build(identity, 4, 2, 2, scale: 0)).ParamName.ShouldBe("scale");
        Should.Throw<ArgumentOutOfRangeException>(() => ExactFactorization.Build(identity, 4, 2, 2, tolerance: -1)).ParamName.ShouldBe("tolerance");
        identity[5] = double.NaN;
        Should.Throw<ArgumentException>(() => ExactFactorization.Build(identity, 4, 2, 2)).Message.ShouldContain("(1, 1)");
    }

    /// <summary>
    /// A = L0 U0 with L0 unit lower triangular and U0 upper triangular (so partial pivoting inside a block never swaps and
    /// the exact block LU is L0, U0), random neighbour blocks, and far blocks (|i - j| &gt;= 2) from a global rank-r product.
    /// </summary>
    private static (double[] A, double[] L0, double[] U0) HierarchicalProduct(int m, int p, int rank, int seed)
    {
        int n = m * p;
        var random = new Random(seed);
        double Uniform(double half) => ((2 * random.NextDouble()) - 1) * half;
        double[] Matrix(int rows, int cols) => Enumerable.Range(0, rows * cols).Select(_ => Uniform(1)).ToArray();
        var (x, y, xu, yu) = (Matrix(n, rank), Matrix(n, rank), Matrix(n, rank), Matrix(n, rank));
        double LowRank(double[] left, double[] right, int i, int j) =>
            Enumerable.Range(0, rank).Sum(k => left[(i * rank) + k] * right[(j * rank) + k]) / rank;

        var l0 = new double[n * n];
        var u0 = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int distance = (i / p) - (j / p);
                l0[(i * n) + j] = distance switch
                {
                    0 => i == j ? 1 : i > j ? Uniform(0.5) : 0,
                    1 => Uniform(1),
                    >= 2 => LowRank(x, y, i, j),
                    _ => 0,
                };
                u0[(i * n) + j] = (-distance) switch
                {
                    0 => i == j ? 2 + random.NextDouble() : j > i ? Uniform(0.5) : 0,
                    1 => Uniform(1),
                    >= 2 => LowRank(xu, yu, i, j),
                    _ => 0,
                };
            }
        }

        return (Flat(DenseMath.Multiply(DenseMath.FromRowMajor(l0, n), DenseMath.FromRowMajor(u0, n))), l0, u0);
    }

    private static bool FarFieldTensorsAreAbsent(GfmmBlock block)
    {
        var layout = block.Layout;
        var tensors = new List<int>();
        for (int level = 0; level < layout.Levels; level++)
        {
            for (int node = 0; node < layout.NodeCount(level); node++)
            {
                tensors.Add(layout.Encoder(level, node));
                tensors.Add(layout.Decoder(level, node));
            }

            for (int node = 0; level > 0 && node < layout.NodeCount(level) - 1; node++)
            {
                tensors.Add(layout.HasLowerBridges ? layout.LowerBridge(level, node) : layout.UpperBridge(level, node));
            }
        }

        // Absent tensors are exactly zero and cost no memory: the construction stores none of the far field.
        return tensors.All(t => !block.IsStored(t));
    }

    /// <summary>‖L̂Û − a‖₂ and ‖a‖₂ for the trained (scaled) operator a; the model's dense form is s L̂Û.</summary>
    private static (double Error, double Norm) ProductError(GfmmModel model, double[] a)
    {
        int n = model.N;
        var product = model.ToDense();
        var error = new double[n * n];
        for (int k = 0; k < error.Length; k++)
        {
            error[k] = (product[k] / model.Scale) - a[k];
        }

        return (MatrixNorms.Spectral(error, n, n), MatrixNorms.Spectral(a, n, n));
    }

    /// <summary>
    /// Largest ‖A x̂ − b‖ / (‖A‖ ‖x̂‖ + ‖b‖) over a few true right-hand sides b = A x of the unscaled operator A = s a
    /// (the solver divides by s), with x̂ from the Runtime's structured float32 solve (no refinement) and the residual in
    /// double against the exact A.
    /// </summary>
    private static double BackwardError(GfmmModel model, double[] a, int seed)
    {
        int n = model.N;
        var matrix = DenseMath.Scale(DenseMath.FromRowMajor(a, n), model.Scale);
        double normA = model.Scale * MatrixNorms.Spectral(a, n, n);
        var solver = new GfmmSolver(model);
        var random = new Random(seed);
        var solution = new float[n];
        double worst = 0;
        for (int sample = 0; sample < 4; sample++)
        {
            var b = DenseMath.Multiply(matrix, DenseMath.RandomVector(n, random));
            solver.Solve(DenseMath.ToFloat(b), solution);
            var x = DenseMath.ToDouble(solution);
            var residual = Subtract(DenseMath.Multiply(matrix, x), b);
            worst = Math.Max(worst, DenseMath.Norm(residual) / ((normA * DenseMath.Norm(x)) + DenseMath.Norm(b)));
        }

        return worst;
    }

    private static double[] Dense(GfmmBlock block) => Flat(NaiveGfmm.Dense(block));

    private static double[] Flat(double[,] matrix) => matrix.Cast<double>().ToArray();

    private static double[] Subtract(double[] x, double[] y) => x.Zip(y, (u, v) => u - v).ToArray();
}

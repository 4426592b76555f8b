using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Tests.Structure;

/// <summary>The one routine that factors, validates and packs the diagonal blocks G_i (shared with the generator,
/// whose side of the same rule is checked in the generator tests), and its unblocked LU.</summary>
public class DiagonalBlockFactorsTests
{
    /// <summary>The unit roundoff of float, 2^-24.</summary>
    private const double FloatRoundoff = 1.0 / (1 << 24);

    [Theory]
    [InlineData(4, 1, 3)]
    [InlineData(4, 6, 12)]
    [InlineData(8, 16, 5)]
    public void Factors_satisfy_PG_equals_LU_against_a_dense_double_reference(int m, int p, int seed)
    {
        var model = GfmmRandom.WellConditioned(m, p, seed);
        foreach (var block in new[] { model.L, model.U })
        {
            var packed = DiagonalBlockFactors<float>.TryCreate(block.Store<float>(), out var failure).ShouldNotBeNull();
            failure.ShouldBeNull();
            packed.Blocks.ShouldBe(m);
            for (int i = 0; i < m; i++)
            {
                var g = block.Tensor(block.Layout.Diagonal(i)).ToArray();
                var (referenceLu, referencePivots) = TextbookLu(g, p);
                var factors = packed.Factors.AsSpan(i * p * p, p * p);
                var pivots = packed.Pivots.AsSpan(i * p, p).ToArray();
                pivots.ShouldBe(referencePivots);
                double maxAbs = g.Max(v => Math.Abs((double)v));
                for (int r = 0; r < p; r++)
                    for (int c = 0; c < p; c++)
                    {
                        // Each float factor is the double reference rounded (half an ulp of float, relative).
                        double reference = referenceLu[r, c];
                        Math.Abs(factors[r * p + c] - reference).ShouldBeLessThanOrEqualTo(Math.Abs(reference) * FloatRoundoff + 1e-300);
                        packed.FactorsTransposed[i * p * p + c * p + r].ShouldBe(factors[r * p + c]);
                    }
                for (int k = 0; k < p; k++)
                    packed.InverseDiagonal[i * p + k].ShouldBe(1f / factors[k * p + k]);

                // P·G against L·U of the float factors, in double: equal to float rounding.
                var permuted = new double[p, p];
                for (int r = 0; r < p; r++)
                    for (int c = 0; c < p; c++) permuted[r, c] = g[r * p + c];
                for (int k = 0; k < p; k++)
                    for (int c = 0; c < p; c++) (permuted[k, c], permuted[pivots[k], c]) = (permuted[pivots[k], c], permuted[k, c]);
                for (int r = 0; r < p; r++)
                    for (int c = 0; c < p; c++)
                    {
                        double product = 0;
                        for (int k = 0; k <= Math.Min(r, c); k++)
                            product += (k == r ? 1.0 : factors[r * p + k]) * factors[k * p + c];
                        Math.Abs(product - permuted[r, c]).ShouldBeLessThan(4 * p * FloatRoundoff * maxAbs);
                    }
            }
        }
    }

    public static TheoryData<float[], SingularBlockDefect, int, int, string> Rejected() => new()
    {
        // Rows 0 and 1 are proportional: after the swap, U[1, 1] = 2 - 0.5 · 4 = 0 exactly.
        { [1, 2, 2, 4], SingularBlockDefect.ZeroPivot, 1, 1, "an exactly zero pivot in column 1 of its LU factorization with partial pivoting" },
        // U[1, 1] = -1e-60: non-zero in double, zero in float.
        { [1, 1e-30f, 1e-30f, 0], SingularBlockDefect.PivotRoundsToZero, 1, 1, "the pivot in column 1 of its LU factors rounds to zero in float" },
        // A subnormal pivot: its factors exist, its float reciprocal (7e44) does not.
        { [1e-45f, 0, 0, 1], SingularBlockDefect.ReciprocalOverflow, 0, 0, "the reciprocal of U's diagonal entry 0 of its LU factors overflows float" },
        // Finite weights whose factor U[1, 1] = 3e38 + 3e38 overflows float.
        { [3e38f, 3e38f, -3e38f, 3e38f], SingularBlockDefect.NonFiniteFactor, 1, 1,
            "entry (1, 1) of its LU factors is not finite in float (non-finite weights, or factors that overflow float)" },
        { [float.NaN, 0, 0, 1], SingularBlockDefect.NonFiniteFactor, 0, 0,
            "entry (0, 0) of its LU factors is not finite in float (non-finite weights, or factors that overflow float)" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void A_rejected_block_is_named_with_its_defect(float[] g, SingularBlockDefect defect, int row, int column, string reason)
    {
        var model = GfmmRandom.WellConditioned(4, 2, seed: 7);
        g.CopyTo(model.U.Tensor(model.U.Layout.Diagonal(2)));

        DiagonalBlockFactors<float>.TryCreate(model.L.Store<float>(), out var lowerFailure).ShouldNotBeNull();
        lowerFailure.ShouldBeNull();
        DiagonalBlockFactors<float>.TryCreate(model.U.Store<float>(), out var failure).ShouldBeNull();
        failure.ShouldNotBeNull();

        var e = Should.Throw<SingularBlockException>(() => new GfmmSolver(model));
        e.ShouldBeAssignableTo<SingularMatrixException>();
        e.Message.ShouldBe("U.G_2 (tensor 'U.bridges.0.diag_blocks.2.W.weight') cannot be factored in float: " + reason + ".");
        e.Message.ShouldBe(failure.Message);
        (e.Factor, e.Block, e.TensorName, e.Defect, e.Row, e.Column).ShouldBe(("U", 2, "U.bridges.0.diag_blocks.2.W.weight", defect, row, column));
        e.ZeroPivotColumn.ShouldBe(defect is SingularBlockDefect.ZeroPivot or SingularBlockDefect.PivotRoundsToZero ? column : -1);
    }

    [Fact]
    public void The_public_constructor_formats_the_same_message()
    {
        new SingularBlockException("L", 2, "L.bridges.0.diag_blocks.2.W.weight", 1).Message.ShouldBe(
            "L.G_2 (tensor 'L.bridges.0.diag_blocks.2.W.weight') cannot be factored in float: an exactly zero pivot in column 1 of its LU factorization with partial pivoting.");
        var e = new SingularBlockException("U", 0, "U.bridges.0.diag_blocks.0.W.weight", -1);
        e.Message.ShouldBe("U.G_0 (tensor 'U.bridges.0.diag_blocks.0.W.weight') cannot be factored in float: its LU factors are not finite in float (non-finite weights, or factors that overflow float).");
        (e.Defect, e.Row, e.Column, e.ZeroPivotColumn).ShouldBe((SingularBlockDefect.NonFiniteFactor, -1, -1, -1));
    }

    [Fact]
    public void Only_L_and_U_with_their_own_weight_count_are_accepted()
    {
        var general = new GfmmLayout(GfmmKind.General, 4, 2);
        Should.Throw<ArgumentException>(() => DiagonalBlockFactors<float>.TryCreate(GfmmTensorStore<float>.Dense(general, new float[general.WeightCount]), out _));
        var layout = new GfmmLayout(GfmmKind.Lower, 4, 2);
        Should.Throw<ArgumentException>(() => GfmmTensorStore<float>.Dense(layout, new float[layout.WeightCount - 1]));
    }

    [Fact]
    public void A_diagonal_block_that_is_not_stored_is_a_zero_pivot()
    {
        var layout = new GfmmLayout(GfmmKind.Lower, 4, 2);
        int[] stored = [layout.Diagonal(0), layout.Diagonal(1), layout.Diagonal(3)];
        var values = new float[stored.Length * layout.TensorSize];
        for (int k = 0; k < stored.Length; k++) { values[k * 4] = 1; values[k * 4 + 3] = 1; } // identity blocks
        DiagonalBlockFactors<float>.TryCreate(GfmmTensorStore<float>.Sparse(layout, stored, values), out var failure).ShouldBeNull();
        (failure!.Block, failure.Defect, failure.Column).ShouldBe((2, SingularBlockDefect.ZeroPivot, 0));
    }

    [Fact]
    public void Unblocked_lu_gives_argument_errors_for_ranges_that_do_not_fit()
    {
        var a = new double[16];
        var pivots = new int[4];
        // Before: pivotOffset + n overflowed int and passed the check, then indexed out of range.
        Should.Throw<ArgumentException>(() => UnblockedLu.Factor(a, 0, 4, pivots, int.MaxValue - 1)).ParamName.ShouldBe("pivots");
        Should.Throw<ArgumentException>(() => UnblockedLu.Factor(a, 0, 4, pivots, -1)).ParamName.ShouldBe("pivots");
        Should.Throw<ArgumentException>(() => UnblockedLu.Factor(a, int.MaxValue - 2, 4, pivots, 0)).ParamName.ShouldBe("a");
        Should.Throw<ArgumentException>(() => UnblockedLu.Factor(a, -1, 4, pivots, 0)).ParamName.ShouldBe("a");
        Should.Throw<ArgumentException>(() => UnblockedLu.Factor(a, 0, 5, pivots, 0)).ParamName.ShouldBe("a");
        Should.Throw<ArgumentOutOfRangeException>(() => UnblockedLu.Factor(a, 0, -1, pivots, 0));
        Should.Throw<ArgumentNullException>(() => UnblockedLu.Factor(null!, 0, 4, pivots, 0));
        Should.Throw<ArgumentNullException>(() => UnblockedLu.Factor(a, 0, 4, null!, 0));
    }

    [Fact]
    public void Unblocked_lu_reports_the_first_zero_pivot_and_completes()
    {
        // Column 0 is zero: info = 1; the rest still factors ([[0, 1], [0, 2]] keeps its rows, U[1, 1] = 2).
        double[] a = [0, 1, 0, 2];
        var pivots = new int[2];
        UnblockedLu.Factor(a, 0, 2, pivots, 0).ShouldBe(1);
        pivots.ShouldBe([0, 1]);
        a.ShouldBe([0, 1, 0, 2]);
    }

    /// <summary>Gaussian elimination with partial pivoting on a 2-D array, whole rows swapped (Golub and Van Loan,
    /// Algorithm 3.4.1): the multipliers below the diagonal, U on and above, and ipiv.</summary>
    private static (double[,] Lu, int[] Pivots) TextbookLu(float[] g, int p)
    {
        var a = new double[p, p];
        for (int r = 0; r < p; r++)
            for (int c = 0; c < p; c++) a[r, c] = g[r * p + c];
        var pivots = new int[p];
        for (int k = 0; k < p; k++)
        {
            int best = k;
            for (int r = k + 1; r < p; r++)
                if (Math.Abs(a[r, k]) > Math.Abs(a[best, k])) best = r;
            pivots[k] = best;
            for (int c = 0; c < p; c++) (a[k, c], a[best, c]) = (a[best, c], a[k, c]);
            for (int r = k + 1; r < p; r++)
            {
                a[r, k] /= a[k, k];
                for (int c = k + 1; c < p; c++) a[r, c] -= a[r, k] * a[k, c];
            }
        }
        return (a, pivots);
    }
}

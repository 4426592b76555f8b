// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;
using System.Globalization;

namespace GenLu.Structure;

/// <summary>Why a diagonal block <c>G_i</c> cannot be used by the float solves.</summary>
public enum SingularBlockDefect
{
    /// <summary>The LU factorization with partial pivoting in double meets an exactly zero pivot.</summary>
    ZeroPivot,

    /// <summary>A pivot is non-zero in double but rounds to zero in float.</summary>
    PivotRoundsToZero,

    /// <summary>An entry of the LU factors is not finite in float (non-finite weights, or factors that overflow float).</summary>
    NonFiniteFactor,

    /// <summary>A diagonal entry of U has no finite float reciprocal (it is subnormal in float).</summary>
    ReciprocalOverflow,
}

/// <summary>Which <c>G_i</c> failed and why; <see cref="Message"/> is the one text both the Runtime's
/// <c>SingularBlockException</c> and the generator's GLU008 carry.</summary>
internal sealed class SingularBlockFailure
{
    public SingularBlockFailure(string factor, int block, string tensorName, SingularBlockDefect defect, int row, int column)
    {
        Factor = factor;
        Block = block;
        TensorName = tensorName;
        Defect = defect;
        Row = row;
        Column = column;
        Message = string.Format(CultureInfo.InvariantCulture, "{0}.G_{1} (tensor '{2}') cannot be factored in float: {3}.",
            factor, block, tensorName, Reason(defect, row, column));
    }

    /// <summary>"L" or "U".</summary>
    public string Factor { get; }

    /// <summary>The leaf index i of G_i.</summary>
    public int Block { get; }

    /// <summary>The tensor's name in the weight file, e.g. <c>L.bridges.0.diag_blocks.3.W.weight</c>.</summary>
    public string TensorName { get; }

    public SingularBlockDefect Defect { get; }

    /// <summary>Row and column (zero-based, within the block) of the offending entry of the LU factors; both are
    /// the pivot's column for the pivot and reciprocal defects, and -1 when the entry is not known.</summary>
    public int Row { get; }

    public int Column { get; }

    public string Message { get; }

    private static string Reason(SingularBlockDefect defect, int row, int column) => defect switch
    {
        SingularBlockDefect.ZeroPivot => string.Format(CultureInfo.InvariantCulture,
            "an exactly zero pivot in column {0} of its LU factorization with partial pivoting", column),
        SingularBlockDefect.PivotRoundsToZero => string.Format(CultureInfo.InvariantCulture,
            "the pivot in column {0} of its LU factors rounds to zero in float", column),
        SingularBlockDefect.NonFiniteFactor => (row < 0 ? "its LU factors are" : string.Format(CultureInfo.InvariantCulture,
            "entry ({0}, {1}) of its LU factors is", row, column)) + " not finite in float (non-finite weights, or factors that overflow float)",
        SingularBlockDefect.ReciprocalOverflow => string.Format(CultureInfo.InvariantCulture,
            "the reciprocal of U's diagonal entry {0} of its LU factors overflows float", column),
        _ => throw new ArgumentOutOfRangeException(nameof(defect), defect, "Unknown defect."),
    };
}

/// <summary>
/// The factored diagonal blocks <c>G_0 … G_{M-1}</c> of one GFMM factor (L or U), the one routine and the one
/// acceptance rule of the Runtime's structured solver and the generator: each <c>G_i</c> is factored in double
/// with partial pivoting (<see cref="UnblockedLu"/>) and rounded to float, and is accepted only if no pivot is
/// zero before or after rounding, every float factor is finite and every diagonal entry of U has a finite float
/// reciprocal, so a model that loads in one loads in the other and both solve with the same numbers.
/// </summary>
internal sealed class DiagonalBlockFactors
{
    private DiagonalBlockFactors(int blocks, int p, float[] factors, float[] factorsTransposed, int[] pivots, float[] inverseDiagonal)
    {
        Blocks = blocks;
        P = p;
        Factors = factors;
        FactorsTransposed = factorsTransposed;
        Pivots = pivots;
        InverseDiagonal = inverseDiagonal;
    }

    /// <summary>M, the number of blocks.</summary>
    public int Blocks { get; }

    public int P { get; }

    /// <summary>The float LU factors, P x P per block, row-major in place: unit L strictly below the diagonal, U on and above.</summary>
    public float[] Factors { get; }

    /// <summary><see cref="Factors"/> with every block transposed (column-major): the Runtime's single-vector solve
    /// reads columns of L and U as rows, and the generator embeds the triangles column by column.</summary>
    public float[] FactorsTransposed { get; }

    /// <summary>Zero-based LAPACK pivots (row k was swapped with row pivots[k]), P per block.</summary>
    public int[] Pivots { get; }

    /// <summary>The float reciprocals <c>1f / U[k, k]</c>, P per block (the generated sweeps multiply by them).</summary>
    public float[] InverseDiagonal { get; }

    /// <summary>Factors every <c>G_i</c> of a lower or upper block; returns null and the first failure if one is rejected.</summary>
    /// <param name="weights">The block's weights (layout L: <see cref="GfmmKind.Lower"/>, or U: <see cref="GfmmKind.Upper"/>);
    /// a diagonal block it does not store is zero, hence rejected.</param>
    /// <param name="failure">The first rejected block, or null when all are accepted.</param>
    public static DiagonalBlockFactors? TryCreate(GfmmTensorStore weights, out SingularBlockFailure? failure)
    {
        if (weights is null) throw new ArgumentNullException(nameof(weights));
        var layout = weights.Layout;
        string factor = layout.Kind switch
        {
            GfmmKind.Lower => "L",
            GfmmKind.Upper => "U",
            _ => throw new ArgumentException($"Only the diagonal blocks of L and U are factored, not those of a {layout.Kind} block.", nameof(weights)),
        };

        int m = layout.M, p = layout.P, size = layout.TensorSize;
        var factors = new float[(long)m * size];
        var transposed = new float[factors.Length];
        var pivots = new int[(long)m * p];
        var inverseDiagonal = new float[pivots.Length];
        var work = new double[size];
        for (int i = 0; i < m; i++)
        {
            int tensor = layout.Diagonal(i), start = i * size, offset = weights.Offset(tensor);
            for (int k = 0; k < size; k++) work[k] = offset < 0 ? 0 : weights.Values[offset + k];
            var defect = FactorBlock(work, p, pivots, i * p, factors, start, inverseDiagonal, out int row, out int column);
            if (defect is { } found)
            {
                failure = new SingularBlockFailure(factor, i, factor + "." + layout.TensorName(tensor), found, row, column);
                return null;
            }
            for (int r = 0; r < p; r++)
                for (int c = 0; c < p; c++) transposed[start + c * p + r] = factors[start + r * p + c];
        }
        failure = null;
        return new DiagonalBlockFactors(m, p, factors, transposed, pivots, inverseDiagonal);
    }

    /// <summary>
    /// The sign and <c>ln |det|</c> of a model's approximation of its operator of order <paramref name="n"/>:
    /// <c>det(s L U) = s^n · Π det G_i(L) · Π det G_i(U)</c>, L and U being block triangular with the <c>G_i</c> on their
    /// diagonals. A padded model factors <c>A/s ⊕ I</c>, so its padding adds nothing. In double from the float factors
    /// the solves use, as a sum of logarithms, so no product of pivots can overflow; <c>det G_i = (−1)^(row swaps) · Π U_kk</c>.
    /// </summary>
    public static (int Sign, double LogAbsDeterminant) LogDeterminant(DiagonalBlockFactors lower, DiagonalBlockFactors upper, int n, double scale)
    {
        if (lower is null) throw new ArgumentNullException(nameof(lower));
        if (upper is null) throw new ArgumentNullException(nameof(upper));
        int sign = 1;
        double logAbs = n * Math.Log(scale);
        foreach (var factors in new[] { lower, upper })
            for (int i = 0; i < factors.Blocks; i++)
                for (int k = 0; k < factors.P; k++)
                {
                    double pivot = factors.Factors[(long)i * factors.P * factors.P + k * factors.P + k];
                    if (pivot < 0) sign = -sign;
                    if (factors.Pivots[i * factors.P + k] != k) sign = -sign;
                    logAbs += Math.Log(Math.Abs(pivot));
                }
        return (sign, logAbs);
    }

    /// <summary>The rule: factors one block in double, rounds it into <paramref name="factors"/> and its reciprocals
    /// into <paramref name="inverseDiagonal"/>; returns the first defect (and where), or null.</summary>
    private static SingularBlockDefect? FactorBlock(double[] work, int p, int[] pivots, int pivotOffset, float[] factors, int start,
        float[] inverseDiagonal, out int row, out int column)
    {
        int info = UnblockedLu.Factor(work, 0, p, pivots, pivotOffset);
        if (info != 0)
        {
            row = column = info - 1;
            return SingularBlockDefect.ZeroPivot;
        }
        for (int r = 0; r < p; r++)
            for (int c = 0; c < p; c++)
            {
                float rounded = (float)work[r * p + c];
                if (float.IsNaN(rounded) || float.IsInfinity(rounded))
                {
                    (row, column) = (r, c);
                    return SingularBlockDefect.NonFiniteFactor;
                }
                factors[start + r * p + c] = rounded;
            }
        for (int k = 0; k < p; k++)
        {
            row = column = k;
            float diagonal = factors[start + k * p + k];
            if (diagonal == 0) return SingularBlockDefect.PivotRoundsToZero;
            float reciprocal = 1f / diagonal;
            if (float.IsInfinity(reciprocal)) return SingularBlockDefect.ReciprocalOverflow;
            inverseDiagonal[pivotOffset + k] = reciprocal;
        }
        row = column = -1;
        return null;
    }
}

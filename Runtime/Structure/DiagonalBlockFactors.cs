// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;
using System.Globalization;

namespace GenLu.Structure;

/// <summary>Why a diagonal block <c>G_i</c> cannot be used by the solves (float or double: <see cref="GfmmDtype"/>).</summary>
public enum SingularBlockDefect
{
    /// <summary>The LU factorization with partial pivoting in double meets an exactly zero pivot.</summary>
    ZeroPivot,

    /// <summary>A pivot is non-zero in double but rounds to zero in float (float32 models only).</summary>
    PivotRoundsToZero,

    /// <summary>An entry of the LU factors is not finite in the model's type (non-finite weights, or factors that overflow it).</summary>
    NonFiniteFactor,

    /// <summary>A diagonal entry of U has no finite reciprocal in the model's type (it is subnormal there).</summary>
    ReciprocalOverflow,
}

/// <summary>Which <c>G_i</c> failed and why; <see cref="Message"/> is the one text both the Runtime's
/// <c>SingularBlockException</c> and the generator's GLU008 carry.</summary>
internal sealed class SingularBlockFailure
{
    public SingularBlockFailure(string factor, int block, string tensorName, SingularBlockDefect defect, int row, int column, string precision = "float")
    {
        Factor = factor;
        Block = block;
        TensorName = tensorName;
        Defect = defect;
        Row = row;
        Column = column;
        Message = string.Format(CultureInfo.InvariantCulture, "{0}.G_{1} (tensor '{2}') cannot be factored in {3}: {4}.",
            factor, block, tensorName, precision, Reason(defect, row, column, precision));
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

    private static string Reason(SingularBlockDefect defect, int row, int column, string precision) => defect switch
    {
        SingularBlockDefect.ZeroPivot => string.Format(CultureInfo.InvariantCulture,
            "an exactly zero pivot in column {0} of its LU factorization with partial pivoting", column),
        SingularBlockDefect.PivotRoundsToZero => string.Format(CultureInfo.InvariantCulture,
            "the pivot in column {0} of its LU factors rounds to zero in {1}", column, precision),
        SingularBlockDefect.NonFiniteFactor => (row < 0 ? "its LU factors are" : string.Format(CultureInfo.InvariantCulture,
            "entry ({0}, {1}) of its LU factors is", row, column)) + " not finite in " + precision + " (non-finite weights, or factors that overflow " + precision + ")",
        SingularBlockDefect.ReciprocalOverflow => string.Format(CultureInfo.InvariantCulture,
            "the reciprocal of U's diagonal entry {0} of its LU factors overflows {1}", column, precision),
        _ => throw new ArgumentOutOfRangeException(nameof(defect), defect, "Unknown defect."),
    };
}

/// <summary>
/// The factored diagonal blocks <c>G_0 … G_{M-1}</c> of one GFMM factor (L or U), the one routine and the one
/// acceptance rule of the Runtime's structured solver and the generator: each <c>G_i</c> is factored in double
/// with partial pivoting (<see cref="UnblockedLu"/>) and rounded to the model's type <typeparamref name="T"/> (float for
/// float32 models; double, no rounding, for float64), and is accepted only if no pivot is zero before or after rounding,
/// every rounded factor is finite and every diagonal entry of U has a finite reciprocal in <typeparamref name="T"/>, so a
/// model that loads in one loads in the other and both solve with the same numbers.
/// </summary>
internal sealed class DiagonalBlockFactors<T>
    where T : struct, IEquatable<T>
{
    private static readonly TensorScalar<T> Scalar = TensorScalar<T>.Instance;

    private DiagonalBlockFactors(int blocks, int p, T[] factors, T[] factorsTransposed, int[] pivots, T[] inverseDiagonal)
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

    /// <summary>The rounded LU factors, P x P per block, row-major in place: unit L strictly below the diagonal, U on and above.</summary>
    public T[] Factors { get; }

    /// <summary><see cref="Factors"/> with every block transposed (column-major): the Runtime's single-vector solve
    /// reads columns of L and U as rows, and the generator embeds the triangles column by column.</summary>
    public T[] FactorsTransposed { get; }

    /// <summary>Zero-based LAPACK pivots (row k was swapped with row pivots[k]), P per block.</summary>
    public int[] Pivots { get; }

    /// <summary>The reciprocals <c>1 / U[k, k]</c> in <typeparamref name="T"/>, P per block (the generated sweeps multiply by them).</summary>
    public T[] InverseDiagonal { get; }

    /// <summary>Factors every <c>G_i</c> of a lower or upper block; returns null and the first failure if one is rejected.</summary>
    /// <param name="weights">The block's weights (layout L: <see cref="GfmmKind.Lower"/>, or U: <see cref="GfmmKind.Upper"/>);
    /// a diagonal block it does not store is zero, hence rejected.</param>
    /// <param name="failure">The first rejected block, or null when all are accepted.</param>
    public static DiagonalBlockFactors<T>? TryCreate(GfmmTensorStore<T> weights, out SingularBlockFailure? failure)
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
        var factors = new T[(long)m * size];
        var transposed = new T[factors.Length];
        var pivots = new int[(long)m * p];
        var inverseDiagonal = new T[pivots.Length];
        var work = new double[size];
        for (int i = 0; i < m; i++)
        {
            int tensor = layout.Diagonal(i), start = i * size, offset = weights.Offset(tensor);
            for (int k = 0; k < size; k++) work[k] = offset < 0 ? 0 : Scalar.Widen(weights.Values[offset + k]);
            var defect = FactorBlock(work, p, pivots, i * p, factors, start, inverseDiagonal, out int row, out int column);
            if (defect is { } found)
            {
                failure = new SingularBlockFailure(factor, i, factor + "." + layout.TensorName(tensor), found, row, column, Precision);
                return null;
            }
            for (int r = 0; r < p; r++)
                for (int c = 0; c < p; c++) transposed[start + c * p + r] = factors[start + r * p + c];
        }
        failure = null;
        return new DiagonalBlockFactors<T>(m, p, factors, transposed, pivots, inverseDiagonal);
    }

    /// <summary>
    /// The sign and <c>ln |det|</c> of a model's approximation of its operator of order <paramref name="n"/>:
    /// <c>det(s L U) = s^n · Π det G_i(L) · Π det G_i(U)</c>, L and U being block triangular with the <c>G_i</c> on their
    /// diagonals. A padded model factors <c>A/s ⊕ I</c>, so its padding adds nothing. In double from the rounded factors
    /// the solves use, as a sum of logarithms, so no product of pivots can overflow; <c>det G_i = (−1)^(row swaps) · Π U_kk</c>.
    /// </summary>
    public static (int Sign, double LogAbsDeterminant) LogDeterminant(DiagonalBlockFactors<T> lower, DiagonalBlockFactors<T> upper, int n, double scale)
    {
        if (lower is null) throw new ArgumentNullException(nameof(lower));
        if (upper is null) throw new ArgumentNullException(nameof(upper));
        int sign = 1;
        double logAbs = n * Math.Log(scale);
        foreach (var factors in new[] { lower, upper })
            for (int i = 0; i < factors.Blocks; i++)
                for (int k = 0; k < factors.P; k++)
                {
                    double pivot = Scalar.Widen(factors.Factors[(long)i * factors.P * factors.P + k * factors.P + k]);
                    if (pivot < 0) sign = -sign;
                    if (factors.Pivots[i * factors.P + k] != k) sign = -sign;
                    logAbs += Math.Log(Math.Abs(pivot));
                }
        return (sign, logAbs);
    }

    /// <summary>The word the failure messages use for <typeparamref name="T"/>: "float" or "double".</summary>
    private static string Precision => Scalar.Dtype == GfmmDtype.Float32 ? "float" : "double";

    private static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

    /// <summary>The rule: factors one block in double, rounds it to <typeparamref name="T"/> into <paramref name="factors"/> and its reciprocals
    /// into <paramref name="inverseDiagonal"/>; returns the first defect (and where), or null.</summary>
    private static SingularBlockDefect? FactorBlock(double[] work, int p, int[] pivots, int pivotOffset, T[] factors, int start,
        T[] inverseDiagonal, out int row, out int column)
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
                T rounded = Scalar.Round(work[r * p + c]);
                if (!IsFinite(Scalar.Widen(rounded)))
                {
                    (row, column) = (r, c);
                    return SingularBlockDefect.NonFiniteFactor;
                }
                factors[start + r * p + c] = rounded;
            }
        for (int k = 0; k < p; k++)
        {
            row = column = k;
            double diagonal = Scalar.Widen(factors[start + k * p + k]);
            if (diagonal == 0) return SingularBlockDefect.PivotRoundsToZero;
            // In double, then rounded: for float this is exactly the float division 1f / diagonal (double has more than
            // twice float's precision, so the double rounding is innocuous).
            T reciprocal = Scalar.Round(1 / diagonal);
            if (!IsFinite(Scalar.Widen(reciprocal))) return SingularBlockDefect.ReciprocalOverflow;
            inverseDiagonal[pivotOffset + k] = reciprocal;
        }
        row = column = -1;
        return null;
    }
}

using System.Numerics;

namespace GenLu.Dense;

/// <summary>
/// An owned LU factorization of a square matrix: holds one copy of the matrix, factors it once with
/// <see cref="DenseLu"/>, and then solves and computes determinants from the factors.
/// </summary>
public sealed class LuFactorization<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _factors;
    private readonly int[] _perm;

    private LuFactorization(T[] factors, int order, MatrixLayout layout)
    {
        _factors = factors;
        _perm = new int[order];
        Order = order;
        Layout = layout;
        Info = DenseLu.Factor<T>(factors, order, layout, _perm);
    }

    /// <summary>Copies the n x n matrix (leading dimension n) and factors the copy; the input is left untouched.</summary>
    public LuFactorization(ReadOnlySpan<T> matrix, int n, MatrixLayout layout)
        : this(CopyOf(matrix, n), n, layout)
    {
    }

    /// <summary>Factors <paramref name="matrix"/> (n x n, length n * n) in place and keeps it as the factor storage.</summary>
    public static LuFactorization<T> TakeOwnership(T[] matrix, int n, MatrixLayout layout)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ThrowIfNotSquare(matrix.Length, n, nameof(matrix));
        return new LuFactorization<T>(matrix, n, layout);
    }

    /// <summary>Order n of the factored matrix.</summary>
    public int Order { get; }

    /// <summary>Layout of <see cref="Factors"/> (the layout the matrix was given in).</summary>
    public MatrixLayout Layout { get; }

    /// <summary>LAPACK info: 0, or the 1-based index of the first exactly zero pivot.</summary>
    public int Info { get; }

    /// <summary>True when U has an exactly zero pivot; solves then throw <see cref="SingularPivotException"/>.</summary>
    public bool IsSingular => Info != 0;

    /// <summary>Row permutation: row i of L U is row Perm[i] of the matrix.</summary>
    public ReadOnlySpan<int> Perm => _perm;

    /// <summary>Compact factors (unit L strictly below the diagonal, U on and above), n x n in <see cref="Layout"/>.</summary>
    public ReadOnlySpan<T> Factors => _factors;

    /// <summary>Writes the solution of A x = b into <paramref name="x"/> (both of length n; they may be the same span).</summary>
    public void Solve(ReadOnlySpan<T> b, Span<T> x)
    {
        CopyRightHandSide(b, x);
        DenseLu.Solve(_factors, Order, Math.Max(1, Order), Layout, _perm, x, 1);
    }

    /// <summary>Overwrites nrhs right-hand sides stored one after another (b[r * n + i]) with the solutions of A X = B.</summary>
    public void SolveInPlace(Span<T> b, int nrhs) =>
        DenseLu.Solve(_factors, Order, Math.Max(1, Order), Layout, _perm, b, nrhs);

    /// <summary>Writes the solution of A^T x = b into <paramref name="x"/> (both of length n; they may be the same span).</summary>
    public void SolveTranspose(ReadOnlySpan<T> b, Span<T> x)
    {
        CopyRightHandSide(b, x);
        DenseLu.SolveTranspose(_factors, Order, Math.Max(1, Order), Layout, _perm, x, 1);
    }

    /// <summary>Overwrites nrhs right-hand sides stored one after another with the solutions of A^T X = B.</summary>
    public void SolveTransposeInPlace(Span<T> b, int nrhs) =>
        DenseLu.SolveTranspose(_factors, Order, Math.Max(1, Order), Layout, _perm, b, nrhs);

    /// <summary>det A, multiplied out (may overflow; see <see cref="LogDeterminant"/>).</summary>
    public T Determinant() => DenseLu.Determinant<T>(_factors, Order, Math.Max(1, Order), Layout, _perm);

    /// <summary>Sign and log |det A|, safe from overflow; (0, -infinity) when singular.</summary>
    public (int Sign, T LogAbsDeterminant) LogDeterminant() =>
        DenseLu.LogDeterminant<T>(_factors, Order, Math.Max(1, Order), Layout, _perm);

    private void CopyRightHandSide(ReadOnlySpan<T> b, Span<T> x)
    {
        if (b.Length != Order)
            throw new ArgumentException($"b has {b.Length} elements, but the matrix order is {Order}.", nameof(b));
        if (x.Length != Order)
            throw new ArgumentException($"x has {x.Length} elements, but the matrix order is {Order}.", nameof(x));
        b.CopyTo(x);
    }

    private static T[] CopyOf(ReadOnlySpan<T> matrix, int n)
    {
        ThrowIfNotSquare(matrix.Length, n, nameof(matrix));
        return matrix.ToArray();
    }

    private static void ThrowIfNotSquare(int length, int n, string name)
    {
        if (n < 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, "n must be non-negative.");
        if (length != (long)n * n)
            throw new ArgumentException($"{name} has {length} elements, but an n x n matrix with n = {n} has {(long)n * n}.", name);
    }
}

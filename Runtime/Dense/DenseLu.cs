using System.Buffers;
using System.Numerics;
using GenLu.Kernels;

namespace GenLu.Dense;

/// <summary>
/// Dense LU factorization with partial (row) pivoting and the solves built on it, with LAPACK getrf /
/// getrs semantics, for float and double in row- or column-major storage.
/// </summary>
/// <remarks>
/// <para>Storage: a matrix is a span plus a leading dimension (the distance between consecutive columns
/// for <see cref="MatrixLayout.ColumnMajor"/>, between consecutive rows for
/// <see cref="MatrixLayout.RowMajor"/>), so an upper-left sub-matrix of a larger matrix is factored in
/// place without copying.</para>
/// <para>Factors: compact, as LAPACK stores them: the unit lower triangle L strictly below the diagonal
/// (its ones are not stored) and U on and above it.</para>
/// <para>Permutation: <c>perm</c> is zero-based with one entry per row of the full matrix:
/// row i of L U is row perm[i] of the original matrix, i.e. <c>A[perm[i], :] = (L U)[i, :]</c>; rows
/// beyond the factored sub-matrix keep their place (perm[i] = i).</para>
/// <para>Right-hand sides: a block of nrhs right-hand sides is stored one after another, each
/// contiguous, whatever the matrix layout: entry i of right-hand side r is <c>b[r * n + i]</c> (an
/// n x nrhs column-major block). Solves overwrite b with the solution.</para>
/// </remarks>
public static unsafe partial class DenseLu
{
    /// <summary>
    /// LAPACK getrf: factors the upper-left rows x cols sub-matrix of <paramref name="a"/> in place as
    /// P A = L U with partial pivoting (k = min(rows, cols) pivots; L is rows x k, U is k x cols).
    /// </summary>
    /// <param name="a">The full matrix; only its upper-left rows x cols part is read and overwritten.</param>
    /// <param name="rows">Rows of the sub-matrix to factor.</param>
    /// <param name="cols">Columns of the sub-matrix to factor.</param>
    /// <param name="leadingDimension">Stride between columns (column-major) or rows (row-major) of the full matrix.</param>
    /// <param name="layout">Storage order of <paramref name="a"/>.</param>
    /// <param name="perm">Receives the row permutation; its length is the full matrix's row count (&gt;= rows).</param>
    /// <returns>0, or the 1-based index of the first exactly zero pivot U[i-1, i-1] (the factorization
    /// still completes, as LAPACK's does, but solving with it throws).</returns>
    public static int Factor<T>(Span<T> a, int rows, int cols, int leadingDimension, MatrixLayout layout, Span<int> perm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ValidateMatrix(a.Length, rows, cols, leadingDimension, layout, nameof(a), nameof(rows), nameof(cols));
        ValidateFactorPermutationLength(a.Length, rows, cols, leadingDimension, layout, perm.Length);

        fixed (T* origin = a)
        {
            var matrix = StridedMatrix<T>.Create(origin, leadingDimension, layout);
            ThrowIfNonFinite(matrix, rows, cols, layout, nameof(a));
            for (int i = 0; i < perm.Length; i++)
                perm[i] = i;
            if (rows == 0 || cols == 0)
                return 0;

            int pivotCount = Math.Min(rows, cols);
            int[]? rentedPivots = null;
            Span<int> pivots = pivotCount <= StackallocPivotLimit
                ? stackalloc int[pivotCount]
                : (rentedPivots = ArrayPool<int>.Shared.Rent(pivotCount));
            try
            {
                int info;
                fixed (int* pivotPointer = pivots)
                {
                    info = FactorWithWorkspace(matrix, rows, cols, pivotPointer);
                }

                // Replaying the exchanges on the identity turns LAPACK's ipiv into the permutation.
                for (int i = 0; i < pivotCount; i++)
                    (perm[i], perm[pivots[i]]) = (perm[pivots[i]], perm[i]);
                return info;
            }
            finally
            {
                if (rentedPivots is not null)
                    ArrayPool<int>.Shared.Return(rentedPivots);
            }
        }
    }

    /// <summary>Factors the full square n x n matrix (leading dimension n) in place; see the general overload.</summary>
    public static int Factor<T>(Span<T> a, int n, MatrixLayout layout, Span<int> perm)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Factor(a, n, n, Math.Max(1, n), layout, perm);

    /// <summary>
    /// LAPACK getrs (no transpose): overwrites the nrhs right-hand sides in <paramref name="b"/> (each
    /// contiguous, b[r * n + i]) with the solutions of A x = b, from the factors and permutation of
    /// <see cref="Factor{T}(Span{T}, int, int, int, MatrixLayout, Span{int})"/>.
    /// </summary>
    /// <exception cref="SingularPivotException">U has an exactly zero pivot.</exception>
    public static void Solve<T>(ReadOnlySpan<T> lu, int n, int leadingDimension, MatrixLayout layout, ReadOnlySpan<int> perm, Span<T> b, int nrhs)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SolveCore(lu, n, leadingDimension, layout, perm, b, nrhs, transpose: false);

    /// <summary>Solves A x = b for one right-hand side of length n, with a square n x n factorization (leading dimension n).</summary>
    public static void Solve<T>(ReadOnlySpan<T> lu, int n, MatrixLayout layout, ReadOnlySpan<int> perm, Span<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SolveCore(lu, n, Math.Max(1, n), layout, perm, b, 1, transpose: false);

    /// <summary>LAPACK getrs with trans = 'T': overwrites the right-hand sides with the solutions of A^T x = b.</summary>
    /// <exception cref="SingularPivotException">U has an exactly zero pivot.</exception>
    public static void SolveTranspose<T>(ReadOnlySpan<T> lu, int n, int leadingDimension, MatrixLayout layout, ReadOnlySpan<int> perm, Span<T> b, int nrhs)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SolveCore(lu, n, leadingDimension, layout, perm, b, nrhs, transpose: true);

    /// <summary>Solves A^T x = b for one right-hand side of length n, with a square n x n factorization (leading dimension n).</summary>
    public static void SolveTranspose<T>(ReadOnlySpan<T> lu, int n, MatrixLayout layout, ReadOnlySpan<int> perm, Span<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SolveCore(lu, n, Math.Max(1, n), layout, perm, b, 1, transpose: true);

    /// <summary>
    /// Forward substitution with the unit lower triangle stored strictly below the diagonal of
    /// <paramref name="lu"/>: overwrites each right-hand side (b[r * n + i]) with L^-1 b. No permutation.
    /// </summary>
    public static void SolveLowerUnit<T>(ReadOnlySpan<T> lu, int n, int leadingDimension, MatrixLayout layout, Span<T> b, int nrhs)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SolveTriangle(lu, n, leadingDimension, layout, b, nrhs, upper: false);

    /// <summary>
    /// Back substitution with the upper triangle (diagonal included) of <paramref name="lu"/>: overwrites
    /// each right-hand side (b[r * n + i]) with U^-1 b.
    /// </summary>
    /// <exception cref="SingularPivotException">U has an exactly zero diagonal entry.</exception>
    public static void SolveUpper<T>(ReadOnlySpan<T> lu, int n, int leadingDimension, MatrixLayout layout, Span<T> b, int nrhs)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SolveTriangle(lu, n, leadingDimension, layout, b, nrhs, upper: true);

    /// <summary>One triangle of the factors applied to every right-hand side: the unit lower one, or the upper one
    /// (checked for a zero diagonal first).</summary>
    private static void SolveTriangle<T>(ReadOnlySpan<T> lu, int n, int leadingDimension, MatrixLayout layout, Span<T> b, int nrhs, bool upper)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ValidateSquareFactors(lu.Length, n, leadingDimension, layout);
        ValidateRightHandSides(b.Length, n, nrhs);
        ThrowIfOverlapping(lu, b);
        fixed (T* factors = lu)
        fixed (T* rhs = b)
        {
            var matrix = StridedMatrix<T>.Create(factors, leadingDimension, layout);
            if (upper) ThrowIfSingular(matrix, n);
            for (int r = 0; r < nrhs; r++)
            {
                T* vector = rhs + ((nint)r * n);
                if (upper) TriangularSolve<T>.SolveUpper(matrix, n, unitDiagonal: false, vector);
                else TriangularSolve<T>.SolveLower(matrix, n, unitDiagonal: true, vector);
            }
        }
    }

    /// <summary>
    /// Sign and natural log of |det A| from the factors: det A = sign(perm) * prod U[i, i]. Summing logs
    /// cannot overflow, so this is the form to use for large matrices. A singular factorization gives
    /// (0, -infinity).
    /// </summary>
    public static (int Sign, T LogAbsDeterminant) LogDeterminant<T>(ReadOnlySpan<T> lu, int n, int leadingDimension, MatrixLayout layout, ReadOnlySpan<int> perm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ValidateSquareFactors(lu.Length, n, leadingDimension, layout);
        int sign = PermutationSign(perm, n);
        T logAbs = T.Zero;
        for (int i = 0; i < n; i++)
        {
            T pivot = lu[DiagonalIndex(i, leadingDimension)];
            if (pivot == T.Zero)
                return (0, T.NegativeInfinity);
            if (pivot < T.Zero)
                sign = -sign;
            logAbs += T.Log(T.Abs(pivot));
        }

        return (sign, logAbs);
    }

    /// <summary>
    /// det A = sign(perm) * prod U[i, i], multiplied out directly (so it overflows to +-infinity or
    /// underflows to 0 where the true determinant is out of range; use <see cref="LogDeterminant{T}"/> then).
    /// </summary>
    public static T Determinant<T>(ReadOnlySpan<T> lu, int n, int leadingDimension, MatrixLayout layout, ReadOnlySpan<int> perm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ValidateSquareFactors(lu.Length, n, leadingDimension, layout);
        T determinant = PermutationSign(perm, n) > 0 ? T.One : -T.One;
        for (int i = 0; i < n; i++)
            determinant *= lu[DiagonalIndex(i, leadingDimension)];
        return determinant;
    }

    /// <summary>The diagonal entry (i, i) sits at i * (ld + 1) in either layout.</summary>
    private static int DiagonalIndex(int i, int leadingDimension) => i * (leadingDimension + 1);

    private const int StackallocPivotLimit = 1024;

    private const int StackallocScratchBytes = 8192;

    private static int FactorWithWorkspace<T>(StridedMatrix<T> matrix, int rows, int cols, int* pivots)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!RecursiveGetrf<T>.NeedsWorkspace(rows, cols))
            return RecursiveGetrf<T>.Factor(matrix, rows, cols, pivots, default);

        // Packing buffers are O(block) and come from the shared pool, so repeated factorizations allocate nothing.
        T[] packedA = ArrayPool<T>.Shared.Rent(PackedGemm<T>.PackedALength);
        T[] packedB = ArrayPool<T>.Shared.Rent(PackedGemm<T>.PackedBLength);
        try
        {
            fixed (T* a = packedA)
            fixed (T* b = packedB)
            {
                return RecursiveGetrf<T>.Factor(matrix, rows, cols, pivots, new GemmWorkspace<T>(a, b));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(packedB);
            ArrayPool<T>.Shared.Return(packedA);
        }
    }

    private static void SolveCore<T>(ReadOnlySpan<T> lu, int n, int leadingDimension, MatrixLayout layout, ReadOnlySpan<int> perm, Span<T> b, int nrhs, bool transpose)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ValidateSquareFactors(lu.Length, n, leadingDimension, layout);
        ValidateRightHandSides(b.Length, n, nrhs);
        ThrowIfOverlapping(lu, b);
        ThrowIfNotPermutation(perm, n);
        if (n == 0)
            return;

        T[]? rented = null;
        Span<T> scratch = n * sizeof(T) <= StackallocScratchBytes
            ? stackalloc T[n]
            : (rented = ArrayPool<T>.Shared.Rent(n));
        try
        {
            fixed (T* factors = lu)
            fixed (T* rhs = b)
            {
                var matrix = StridedMatrix<T>.Create(factors, leadingDimension, layout);
                ThrowIfSingular(matrix, n);
                for (int r = 0; r < nrhs; r++)
                {
                    Span<T> x = b.Slice(r * n, n);
                    T* xPointer = rhs + ((nint)r * n);
                    if (!transpose)
                    {
                        // A x = b  <=>  L U x = P b, where (P b)[i] = b[perm[i]].
                        for (int i = 0; i < n; i++)
                            scratch[i] = x[perm[i]];
                        scratch[..n].CopyTo(x);
                        TriangularSolve<T>.SolveLower(matrix, n, unitDiagonal: true, xPointer);
                        TriangularSolve<T>.SolveUpper(matrix, n, unitDiagonal: false, xPointer);
                    }
                    else
                    {
                        // A^T x = b  <=>  U^T L^T (P x) = b, then x[perm[i]] = (P x)[i].
                        TriangularSolve<T>.SolveLower(matrix.Transposed, n, unitDiagonal: false, xPointer);
                        TriangularSolve<T>.SolveUpper(matrix.Transposed, n, unitDiagonal: true, xPointer);
                        for (int i = 0; i < n; i++)
                            scratch[perm[i]] = x[i];
                        scratch[..n].CopyTo(x);
                    }
                }
            }
        }
        finally
        {
            if (rented is not null)
                ArrayPool<T>.Shared.Return(rented);
        }
    }

    private static void ThrowIfSingular<T>(StridedMatrix<T> matrix, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < n; i++)
        {
            if (*matrix.At(i, i) == T.Zero)
                throw new SingularPivotException(i + 1);
        }
    }
}

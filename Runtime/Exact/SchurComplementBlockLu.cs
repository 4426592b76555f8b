using System.Runtime.CompilerServices;
using GenLu.Dense;
using GenLu.Kernels;

namespace GenLu.Exact;

/// <summary>
/// The exact block LU <c>A = L U</c> of a dense matrix for a partition into M blocks of size P, without pivoting between
/// blocks (the construction behind <see cref="ExactFactorization"/>): step b factors the diagonal block of the running
/// Schur complement as <c>S_bb = P_b L_b U_b</c> (partial pivoting inside the block), keeps <c>G^L_b = P_b L_b</c> and
/// <c>G^U_b = U_b</c> as the diagonal blocks of L and U, and forms <c>L(r, b) = S(r, b) U_b^-1</c>,
/// <c>U(b, c) = (P_b L_b)^-1 S(b, c)</c> and the update <c>S(r, c) -= L(r, b) U(b, c)</c>. Unlike <see cref="DenseLu"/>
/// (pivoting across the whole matrix), each block's pivots stay inside the block, so the factors keep the block structure.
/// </summary>
/// <remarks>
/// The diagonal factorizations are <see cref="RecursiveGetrf{T}"/>, the two solves <see cref="TriangularSolve{T}"/> and the
/// update <see cref="PackedGemm{T}"/>, on row-major views of one working copy. Blocks of zeros are skipped: the solves and
/// the update only touch rows up to the last non-zero row of L's block column and columns up to the last non-zero column of
/// U's block row (the transforms keep zero rows and columns zero), so a banded matrix costs O(N P^2) and a dense one
/// (2/3) N^3.
/// </remarks>
internal sealed unsafe class SchurComplementBlockLu
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Schur updates of at least this many multiply-adds are split over two threads.</summary>
    private const long ParallelUpdateWork = 1L << 22;

    private SchurComplementBlockLu(int m, int p, double[] work, double[][] lowerDiagonal, double[][] upperDiagonal, bool lowerFar, bool upperFar)
    {
        M = m;
        P = p;
        Work = work;
        LowerDiagonal = lowerDiagonal;
        UpperDiagonal = upperDiagonal;
        LowerHasFarField = lowerFar;
        UpperHasFarField = upperFar;
    }

    public int M { get; }

    public int P { get; }

    public int N => M * P;

    /// <summary>N x N row-major: strictly below the diagonal blocks the blocks of L, strictly above them those of U.</summary>
    public double[] Work { get; }

    /// <summary><c>G^L_b = P_b L_b</c>, P x P row-major.</summary>
    public double[][] LowerDiagonal { get; }

    /// <summary><c>G^U_b = U_b</c>, P x P row-major, upper triangular.</summary>
    public double[][] UpperDiagonal { get; }

    /// <summary>Whether L has a non-zero entry two or more blocks below the diagonal.</summary>
    public bool LowerHasFarField { get; }

    /// <summary>Whether U has a non-zero entry two or more blocks right of the diagonal.</summary>
    public bool UpperHasFarField { get; }

    /// <param name="a">The N x N matrix, row-major (not modified).</param>
    /// <param name="m">Number of blocks.</param>
    /// <param name="p">Block size.</param>
    /// <param name="cancellationToken">Checked before each block.</param>
    /// <param name="blockFactored">Called with the number of blocks done after each block.</param>
    /// <exception cref="SingularSchurBlockException">A diagonal Schur block has a pivot of magnitude at most N * eps * max |A_ij|.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    public static SchurComplementBlockLu Factor(ReadOnlySpan<double> a, int m, int p, CancellationToken cancellationToken = default, Action<int>? blockFactored = null)
    {
        int n = m * p;
        var w = a.ToArray();
        double threshold = n * MachineEpsilon * Level1.MaxMagnitude<double>(w);
        var lowerDiagonal = new double[m][];
        var upperDiagonal = new double[m][];
        var pivots = new int[p];
        bool lowerFar = false, upperFar = false;
        var buffers = new GemmBuffers(2);
        fixed (double* origin = w)
        fixed (int* pivotPointer = pivots)
        {
            var matrix = new StridedMatrix<double>(origin, n, 1);
            var workspace = buffers.Workspace(0);
            for (int b = 0; b < m; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int o = b * p;
                var diagonal = matrix.Slice(o, o);
                RecursiveGetrf<double>.Factor(diagonal, p, p, pivotPointer, workspace);
                for (int k = 0; k < p; k++)
                {
                    double pivot = Math.Abs(*diagonal.At(k, k));
                    if (!(pivot > threshold))
                    {
                        throw new SingularSchurBlockException(b, p, k, pivot, threshold);
                    }
                }

                lowerDiagonal[b] = PermutedUnitLower(diagonal, pivots, p);
                upperDiagonal[b] = UpperPart(diagonal, p);
                int lastColumn = SolveBlockRow(matrix, w, n, o, p, pivotPointer, workspace);
                int lastRow = SolveBlockColumn(matrix, w, n, o, p, workspace);
                upperFar |= lastColumn >= o + (2 * p);
                lowerFar |= lastRow >= o + (2 * p);
                UpdateSchurComplement(matrix, o, p, lastRow, lastColumn, buffers);
                blockFactored?.Invoke(b + 1);
            }
        }

        return new SchurComplementBlockLu(m, p, w, lowerDiagonal, upperDiagonal, lowerFar, upperFar);
    }

    /// <summary><c>P L</c>: the unit lower factor with the row interchanges undone (last interchange first).</summary>
    private static double[] PermutedUnitLower(StridedMatrix<double> lu, int[] pivots, int p)
    {
        var g = new double[p * p];
        for (int r = 0; r < p; r++)
        {
            for (int c = 0; c < r; c++)
            {
                g[(r * p) + c] = *lu.At(r, c);
            }

            g[(r * p) + r] = 1;
        }

        fixed (double* rows = g)
        {
            for (int k = p - 1; k >= 0; k--)
            {
                if (pivots[k] != k)
                {
                    StridedLevel1<double>.Swap(rows + (k * p), 1, rows + (pivots[k] * p), 1, p);
                }
            }
        }

        return g;
    }

    private static double[] UpperPart(StridedMatrix<double> lu, int p)
    {
        var u = new double[p * p];
        for (int r = 0; r < p; r++)
        {
            for (int c = r; c < p; c++)
            {
                u[(r * p) + c] = *lu.At(r, c);
            }
        }

        return u;
    }

    /// <summary>
    /// U(b, c) = L_b^-1 P_b^T S(b, c) for the columns right of the block, up to the last non-zero column of the block row;
    /// returns that column (o + p - 1 when there is none).
    /// </summary>
    private static int SolveBlockRow(StridedMatrix<double> matrix, double[] w, int n, int o, int p, int* pivots, GemmWorkspace<double> workspace)
    {
        int start = o + p;
        int last = start - 1;
        for (int r = 0; r < p; r++)
        {
            last = Math.Max(last, start + w.AsSpan(((o + r) * n) + start, n - start).LastIndexOfAnyExcept(0.0));
        }

        int width = last - start + 1;
        if (width > 0)
        {
            var blockRow = matrix.Slice(o, start);
            RecursiveGetrf<double>.ApplyRowExchanges(blockRow, width, pivots, 0, p);
            TriangularSolve<double>.SolveLowerInPlace(matrix.Slice(o, o), blockRow, p, width, unitDiagonal: true, workspace);
        }

        return last;
    }

    /// <summary>
    /// L(r, b) = S(r, b) U_b^-1 for the rows below the block, up to the last row with a non-zero entry in the block column,
    /// as the transposed solve U_bᵀ L(r, b)ᵀ = S(r, b)ᵀ; returns that row (o + p - 1 when there is none).
    /// </summary>
    private static int SolveBlockColumn(StridedMatrix<double> matrix, double[] w, int n, int o, int p, GemmWorkspace<double> workspace)
    {
        int start = o + p;
        int last = start - 1;
        for (int r = n - 1; r >= start; r--)
        {
            if (w.AsSpan((r * n) + o, p).ContainsAnyExcept(0.0))
            {
                last = r;
                break;
            }
        }

        int rows = last - start + 1;
        if (rows > 0)
        {
            TriangularSolve<double>.SolveLowerInPlace(
                matrix.Slice(o, o).Transposed, matrix.Slice(start, o).Transposed, p, rows, unitDiagonal: false, workspace);
        }

        return last;
    }

    /// <summary>S(r, c) -= L(r, b) U(b, c) over the non-zero extent, split by rows over two threads when the work is large.</summary>
    private static void UpdateSchurComplement(StridedMatrix<double> matrix, int o, int p, int lastRow, int lastColumn, GemmBuffers buffers)
    {
        int start = o + p;
        int rows = lastRow - start + 1;
        int width = lastColumn - start + 1;
        if (rows <= 0 || width <= 0)
        {
            return;
        }

        void Update(int firstRow, int count, GemmWorkspace<double> workspace) =>
            PackedGemm<double>.SubtractProduct(
                matrix.Slice(firstRow, start), matrix.Slice(firstRow, o), matrix.Slice(o, start), count, width, p, workspace);

        if ((long)rows * width * p < ParallelUpdateWork || Environment.ProcessorCount < 2 || rows < 2)
        {
            Update(start, rows, buffers.Workspace(0));
            return;
        }

        int half = rows / 2;
        Parallel.Invoke(
            () => Update(start, half, buffers.Workspace(0)),
            () => Update(start + half, rows - half, buffers.Workspace(1)));
    }

    /// <summary>
    /// Packing buffers for <see cref="PackedGemm{T}"/>, one pair per thread of the Schur update, allocated on the pinned
    /// heap so their addresses stay valid without a fixed scope.
    /// </summary>
    private sealed class GemmBuffers
    {
        private readonly double[][] packedA;
        private readonly double[][] packedB;

        public GemmBuffers(int threads)
        {
            packedA = new double[threads][];
            packedB = new double[threads][];
            for (int t = 0; t < threads; t++)
            {
                packedA[t] = GC.AllocateUninitializedArray<double>(PackedGemm<double>.PackedALength, pinned: true);
                packedB[t] = GC.AllocateUninitializedArray<double>(PackedGemm<double>.PackedBLength, pinned: true);
            }
        }

        public GemmWorkspace<double> Workspace(int thread) =>
            new((double*)Unsafe.AsPointer(ref packedA[thread][0]), (double*)Unsafe.AsPointer(ref packedB[thread][0]));
    }
}

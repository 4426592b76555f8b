using System.Runtime.CompilerServices;
using GenLu.Dense;
using GenLu.Kernels;

namespace GenLu.Exact;

/// <summary>
/// The exact block LU <c>A = L U</c> of a matrix for a partition into M blocks of size P, without pivoting between
/// blocks (the construction behind <see cref="ExactFactorization"/>): step b factors the diagonal block of the running
/// Schur complement as <c>S_bb = P_b L_b U_b</c> (partial pivoting inside the block), keeps <c>G^L_b = P_b L_b</c> and
/// <c>G^U_b = U_b</c> as the diagonal blocks of L and U, and forms <c>L(r, b) = S(r, b) U_b^-1</c>,
/// <c>U(b, c) = (P_b L_b)^-1 S(b, c)</c> and the update <c>S(r, c) -= L(r, b) U(b, c)</c>. Unlike <see cref="DenseLu"/>
/// (pivoting across the whole matrix), each block's pivots stay inside the block, so the factors keep the block structure
/// and the block band of A: the work runs in place in a <see cref="BlockBandMatrix"/>, dense or banded.
/// </summary>
/// <remarks>
/// The diagonal factorizations are <see cref="RecursiveGetrf{T}"/>, the two solves <see cref="TriangularSolve{T}"/> and the
/// update <see cref="PackedGemm{T}"/>, on strided views of the store (one per block row of a band, one for all rows when
/// dense). Blocks of zeros are skipped: the solves and the update only touch rows up to the last non-zero row of L's block
/// column and columns up to the last non-zero column of U's block row (the transforms keep zero rows and columns zero), so
/// a matrix of block bandwidth w costs O(N w² P²) time in O(N w P) memory, and a dense one (2/3) N³ in N².
/// </remarks>
internal sealed unsafe class SchurComplementBlockLu
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Schur updates of at least this many multiply-adds are split over two threads.</summary>
    private const long ParallelUpdateWork = 1L << 22;

    private SchurComplementBlockLu(BlockBandMatrix work, double[][] lowerDiagonal, double[][] upperDiagonal, bool lowerFar, bool upperFar)
    {
        Work = work;
        LowerDiagonal = lowerDiagonal;
        UpperDiagonal = upperDiagonal;
        LowerHasFarField = lowerFar;
        UpperHasFarField = upperFar;
    }

    public int M => Work.M;

    public int P => Work.P;

    public int N => Work.N;

    /// <summary>The factored store: strictly below the diagonal blocks the blocks of L, strictly above them those of U.</summary>
    public BlockBandMatrix Work { get; }

    /// <summary><c>G^L_b = P_b L_b</c>, P x P row-major.</summary>
    public double[][] LowerDiagonal { get; }

    /// <summary><c>G^U_b = U_b</c>, P x P row-major, upper triangular.</summary>
    public double[][] UpperDiagonal { get; }

    /// <summary>Whether L has a non-zero entry two or more blocks below the diagonal.</summary>
    public bool LowerHasFarField { get; }

    /// <summary>Whether U has a non-zero entry two or more blocks right of the diagonal.</summary>
    public bool UpperHasFarField { get; }

    /// <summary>The block LU of a dense row-major N x N matrix (N = M P), on a full copy (<paramref name="a"/> is not modified).</summary>
    public static SchurComplementBlockLu Factor(ReadOnlySpan<double> a, int m, int p, CancellationToken cancellationToken = default, Action<int>? blockFactored = null)
    {
        var work = BlockBandMatrix.Create(m, p, m - 1, m - 1);
        int n = work.N;
        for (int i = 0; i < n; i++)
        {
            a.Slice(i * n, n).CopyTo(work.RowSpan(i, 0, n));
        }

        return Factor(work, cancellationToken, blockFactored);
    }

    /// <param name="work">The matrix; overwritten by the factors.</param>
    /// <param name="cancellationToken">Checked before each block.</param>
    /// <param name="blockFactored">Called with the number of blocks done after each block.</param>
    /// <exception cref="SingularSchurBlockException">A diagonal Schur block has a pivot of magnitude at most N * eps * max |A_ij|.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested.</exception>
    public static SchurComplementBlockLu Factor(BlockBandMatrix work, CancellationToken cancellationToken = default, Action<int>? blockFactored = null)
    {
        int m = work.M, p = work.P, n = work.N;
        double threshold = SingularPivotThreshold(n, work.MaxMagnitude());
        var lowerDiagonal = new double[m][];
        var upperDiagonal = new double[m][];
        var pivots = new int[p];
        bool lowerFar = false, upperFar = false;
        var buffers = new GemmBuffers(2);
        fixed (int* pivotPointer = pivots)
        {
            var workspace = buffers.Workspace(0);
            for (int b = 0; b < m; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int o = b * p;
                var diagonal = work.View(o, o);
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
                int lastColumn = SolveBlockRow(work, o, pivotPointer, workspace);
                int lastRow = SolveBlockColumn(work, o, workspace);
                upperFar |= lastColumn >= o + (2 * p);
                lowerFar |= lastRow >= o + (2 * p);
                UpdateSchurComplement(work, o, lastRow, lastColumn, buffers);
                blockFactored?.Invoke(b + 1);
            }
        }

        return new SchurComplementBlockLu(work, lowerDiagonal, upperDiagonal, lowerFar, upperFar);
    }

    /// <summary>A pivot at most this is singular: n ε max |A_ij| (the rounding a block LU of order n commits).</summary>
    internal static double SingularPivotThreshold(int n, double maxMagnitude) => n * MachineEpsilon * maxMagnitude;

    /// <summary><c>P L</c>: the unit lower factor with the row interchanges undone (last interchange first).</summary>
    internal static double[] PermutedUnitLower(StridedMatrix<double> lu, int[] pivots, int p)
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

    internal static double[] UpperPart(StridedMatrix<double> lu, int p)
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
    private static int SolveBlockRow(BlockBandMatrix work, int o, int* pivots, GemmWorkspace<double> workspace)
    {
        int p = work.P;
        int start = o + p;
        int end = work.BandEnd(o);
        int last = start - 1;
        for (int r = 0; r < p && end > start; r++)
        {
            last = Math.Max(last, start + work.RowSpan(o + r, start, end - start).LastIndexOfAnyExcept(0.0));
        }

        int width = last - start + 1;
        if (width > 0)
        {
            var blockRow = work.View(o, start);
            RecursiveGetrf<double>.ApplyRowExchanges(blockRow, width, pivots, 0, p);
            TriangularSolve<double>.SolveLowerInPlace(work.View(o, o), blockRow, p, width, unitDiagonal: true, workspace);
        }

        return last;
    }

    /// <summary>
    /// L(r, b) = S(r, b) U_b^-1 for the rows below the block, up to the last row with a non-zero entry in the block column,
    /// as the transposed solve U_bᵀ L(r, b)ᵀ = S(r, b)ᵀ (one solve per view of rows); returns that row (o + p - 1 when there is none).
    /// </summary>
    private static int SolveBlockColumn(BlockBandMatrix work, int o, GemmWorkspace<double> workspace)
    {
        int p = work.P;
        int start = o + p;
        int last = start - 1;
        for (int r = work.ColumnEnd(o) - 1; r >= start; r--)
        {
            if (work.RowSpan(r, o, p).ContainsAnyExcept(0.0))
            {
                last = r;
                break;
            }
        }

        var upper = work.View(o, o).Transposed;
        for (int first = start; first <= last;)
        {
            int rows = Math.Min(work.RowsSharingView(first), last - first + 1);
            TriangularSolve<double>.SolveLowerInPlace(upper, work.View(first, o).Transposed, p, rows, unitDiagonal: false, workspace);
            first += rows;
        }

        return last;
    }

    /// <summary>
    /// S(r, c) -= L(r, b) U(b, c) over the non-zero extent, one product per view of rows; a large one (dense) is split by rows
    /// over two threads.
    /// </summary>
    private static void UpdateSchurComplement(BlockBandMatrix work, int o, int lastRow, int lastColumn, GemmBuffers buffers)
    {
        int p = work.P;
        int start = o + p;
        int width = lastColumn - start + 1;
        if (width <= 0)
        {
            return;
        }

        var right = work.View(o, start);
        void Update(int firstRow, int count, GemmWorkspace<double> workspace) =>
            PackedGemm<double>.SubtractProduct(work.View(firstRow, start), work.View(firstRow, o), right, count, width, p, workspace);

        for (int first = start; first <= lastRow;)
        {
            int rows = Math.Min(work.RowsSharingView(first), lastRow - first + 1);
            if ((long)rows * width * p < ParallelUpdateWork || Environment.ProcessorCount < 2 || rows < 2)
            {
                Update(first, rows, buffers.Workspace(0));
            }
            else
            {
                int half = rows / 2, top = first;
                Parallel.Invoke(
                    () => Update(top, half, buffers.Workspace(0)),
                    () => Update(top + half, rows - half, buffers.Workspace(1)));
            }

            first += rows;
        }
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

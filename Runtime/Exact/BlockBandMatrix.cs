using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GenLu.Kernels;

namespace GenLu.Exact;

/// <summary>
/// The working matrix of <see cref="SchurComplementBlockLu"/>: an N x N matrix (N = M P) of which only a band of P x P
/// blocks is stored. Block row i keeps block columns i − <see cref="LowerBlocks"/> .. i + <see cref="UpperBlocks"/>, each row
/// contiguous and <see cref="RowLength"/> long; entries outside the band are zero and stay zero through the block LU
/// (without pivoting between blocks, L inherits the lower block bandwidth and U the upper one). When the band covers
/// every block the store is plain row-major N x N (<see cref="IsFull"/>), so a dense matrix costs exactly N².
/// </summary>
/// <remarks>
/// Rows of one block row share where their stored columns start, so a P-row slice (or, when full, any slice) is a
/// <see cref="StridedMatrix{T}"/> with stride <see cref="RowLength"/>: the kernels run on it unchanged. The values live on
/// the pinned heap, so the views stay valid without a fixed scope.
/// </remarks>
internal sealed unsafe class BlockBandMatrix
{
    /// <summary>
    /// The most doubles the store may hold: 2²⁸ (2 GiB), a dense order of 16,384 or, for instance, order 65,536 with a band
    /// of 4,096 columns. Larger bands are refused before anything is allocated.
    /// </summary>
    public const long MaxElementCount = 1L << 28;

    private readonly double[] values;
    private readonly double* origin;

    private BlockBandMatrix(int m, int p, int lowerBlocks, int upperBlocks, bool full)
    {
        M = m;
        P = p;
        N = m * p;
        IsFull = full;
        LowerBlocks = lowerBlocks;
        UpperBlocks = upperBlocks;
        RowLength = full ? N : (lowerBlocks + upperBlocks + 1) * p;
        values = HugePageArrays.NewPinned<double>(checked(N * RowLength));
        // A pinned-heap array never moves, so its address stays valid for the store's lifetime.
        origin = (double*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(values));
    }

    public int M { get; }

    public int P { get; }

    public int N { get; }

    /// <summary>Whether every block is stored (row-major N x N).</summary>
    public bool IsFull { get; }

    /// <summary>Stored blocks below the diagonal block of a block row (M − 1 when full).</summary>
    public int LowerBlocks { get; }

    /// <summary>Stored blocks right of the diagonal block of a block row (M − 1 when full).</summary>
    public int UpperBlocks { get; }

    /// <summary>Doubles stored per row; also the stride of every view.</summary>
    public int RowLength { get; }

    /// <summary>
    /// A store for M blocks of size P keeping <paramref name="lowerBlocks"/> blocks below and <paramref name="upperBlocks"/>
    /// above the diagonal (a full one when that covers every block anyway).
    /// </summary>
    /// <exception cref="ArgumentException">The band needs more than <see cref="MaxElementCount"/> doubles.</exception>
    public static BlockBandMatrix Create(int m, int p, int lowerBlocks, int upperBlocks)
    {
        lowerBlocks = Math.Clamp(lowerBlocks, 0, m - 1);
        upperBlocks = Math.Clamp(upperBlocks, 0, m - 1);
        bool full = lowerBlocks + upperBlocks + 1 >= m;
        long n = (long)m * p;
        long rowLength = full ? n : (long)(lowerBlocks + upperBlocks + 1) * p;
        if (n * rowLength > MaxElementCount)
        {
            throw new ArgumentException(full
                ? $"The matrix has no usable band at P = {p} (block bandwidths {lowerBlocks} below and {upperBlocks} above the diagonal, of M = {m} blocks), and its dense order-{n} working copy ({n * n:N0} doubles) exceeds the {MaxElementCount:N0} doubles (2 GiB) the exact construction may use."
                : $"The matrix's band at P = {p} (block bandwidths {lowerBlocks} below and {upperBlocks} above the diagonal) needs {n * rowLength:N0} doubles, more than the {MaxElementCount:N0} (2 GiB) the exact construction may use.");
        }

        return full ? new BlockBandMatrix(m, p, m - 1, m - 1, full: true) : new BlockBandMatrix(m, p, lowerBlocks, upperBlocks, full: false);
    }

    /// <summary>The first stored column of the rows of block row <paramref name="blockRow"/> (negative for the first block rows of a band: those slots stay unused).</summary>
    public int FirstColumn(int blockRow) => IsFull ? 0 : (blockRow - LowerBlocks) * P;

    /// <summary>The first stored column of <paramref name="row"/> that lies in the matrix.</summary>
    public int BandStart(int row) => Math.Max(0, FirstColumn(row / P));

    /// <summary>One past the last stored column of <paramref name="row"/> that lies in the matrix.</summary>
    public int BandEnd(int row) => (int)Math.Min(N, (long)FirstColumn(row / P) + RowLength);

    /// <summary>One past the last row whose band holds <paramref name="column"/>.</summary>
    public int ColumnEnd(int column) => IsFull ? N : Math.Min(N, ((column / P) + LowerBlocks + 1) * P);

    /// <summary>How many rows from <paramref name="row"/> on share one view (the rest of its block row, or all when full).</summary>
    public int RowsSharingView(int row) => IsFull ? N - row : (((row / P) + 1) * P) - row;

    /// <summary>Entry (i, j); zero outside the band.</summary>
    public double At(int i, int j) => j >= BandStart(i) && j < BandEnd(i) ? RowOrigin(i)[j] : 0;

    /// <summary>Sets entry (i, j), which must lie in the band.</summary>
    public void Set(int i, int j, double value)
    {
        if (j < BandStart(i) || j >= BandEnd(i))
        {
            throw new ArgumentOutOfRangeException(nameof(j), j, $"Entry ({i}, {j}) lies outside the stored band.");
        }

        RowOrigin(i)[j] = value;
    }

    /// <summary>Columns [<paramref name="from"/>, <paramref name="from"/> + <paramref name="count"/>) of <paramref name="row"/>, all inside its band.</summary>
    public Span<double> RowSpan(int row, int from, int count) => new(RowOrigin(row) + from, count);

    /// <summary>
    /// The strided view whose (0, 0) is entry (<paramref name="row"/>, <paramref name="column"/>): valid for the rows
    /// <see cref="RowsSharingView"/> counts and for columns inside the band of those rows.
    /// </summary>
    public StridedMatrix<double> View(int row, int column) => new(RowOrigin(row) + column, RowLength, 1);

    /// <summary>max |a_ij| over the stored entries.</summary>
    public double MaxMagnitude() => Level1.MaxMagnitude<double>(values);

    /// <summary>Where column 0 of <paramref name="row"/> would be (only the band's columns may be touched).</summary>
    private double* RowOrigin(int row) => origin + ((long)row * RowLength) - FirstColumn(row / P);
}

using GenLu.Structure;

namespace GenLu.Exact;

/// <summary>
/// The exact block LU <c>A = L U</c> of a dense matrix for a partition into M blocks of size P, without pivoting between
/// blocks: step b factors the diagonal block of the running Schur complement as <c>S_bb = P_b L_b U_b</c> (partial pivoting
/// inside the block), keeps <c>G^L_b = P_b L_b</c> and <c>G^U_b = U_b</c> as the diagonal blocks of L and U, and forms
/// <c>L(r, b) = S(r, b) U_b^-1</c>, <c>U(b, c) = (P_b L_b)^-1 S(b, c)</c> and the update <c>S(r, c) -= L(r, b) U(b, c)</c>.
/// </summary>
/// <remarks>
/// Blocks of zeros are skipped: the update only touches rows up to the last non-zero row of L's block column and columns
/// up to the last non-zero column of U's block row, so a banded matrix costs O(N P^2) and a dense one (2/3) N^3.
/// </remarks>
internal sealed class BlockLu
{
    private const double MachineEpsilon = 2.220446049250313e-16;

    private BlockLu(int m, int p, double[] work, double[][] lowerDiagonal, double[][] upperDiagonal, bool lowerFar, bool upperFar)
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

    /// <exception cref="SingularSchurBlockException">A diagonal Schur block has a pivot of magnitude at most N * eps * max |A_ij|.</exception>
    public static BlockLu Factor(ReadOnlySpan<double> a, int m, int p)
    {
        int n = m * p;
        var w = a.ToArray();
        double maxAbs = 0;
        foreach (double v in w)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(v));
        }

        double threshold = n * MachineEpsilon * maxAbs;
        var lowerDiagonal = new double[m][];
        var upperDiagonal = new double[m][];
        var block = new double[p * p];
        var pivots = new int[p];
        bool lowerFar = false, upperFar = false;
        for (int b = 0; b < m; b++)
        {
            int o = b * p;
            for (int r = 0; r < p; r++)
            {
                w.AsSpan(((o + r) * n) + o, p).CopyTo(block.AsSpan(r * p, p));
            }

            UnblockedLu.Factor(block, 0, p, pivots, 0);
            for (int k = 0; k < p; k++)
            {
                double pivot = Math.Abs(block[(k * p) + k]);
                if (!(pivot > threshold))
                {
                    throw new SingularSchurBlockException(b, p, k, pivot, threshold);
                }
            }

            lowerDiagonal[b] = PermutedUnitLower(block, pivots, p);
            upperDiagonal[b] = UpperPart(block, p);
            int lastColumn = SolveBlockRow(w, n, o, p, block, pivots);
            int lastRow = SolveBlockColumn(w, n, o, p, block);
            upperFar |= lastColumn >= o + (2 * p);
            lowerFar |= lastRow >= o + (2 * p);
            UpdateSchurComplement(w, n, o, p, lastRow, lastColumn);
        }

        return new BlockLu(m, p, w, lowerDiagonal, upperDiagonal, lowerFar, upperFar);
    }

    /// <summary><c>P L</c>: the unit lower factor with the row interchanges undone (last interchange first).</summary>
    private static double[] PermutedUnitLower(double[] lu, int[] pivots, int p)
    {
        var g = new double[p * p];
        for (int r = 0; r < p; r++)
        {
            for (int c = 0; c < r; c++)
            {
                g[(r * p) + c] = lu[(r * p) + c];
            }

            g[(r * p) + r] = 1;
        }

        for (int k = p - 1; k >= 0; k--)
        {
            if (pivots[k] != k)
            {
                Swap(g.AsSpan(k * p, p), g.AsSpan(pivots[k] * p, p));
            }
        }

        return g;
    }

    private static double[] UpperPart(double[] lu, int p)
    {
        var u = new double[p * p];
        for (int r = 0; r < p; r++)
        {
            for (int c = r; c < p; c++)
            {
                u[(r * p) + c] = lu[(r * p) + c];
            }
        }

        return u;
    }

    /// <summary>
    /// U(b, c) = L_b^-1 P_b^T S(b, c) for the columns right of the block, up to the last non-zero column of the block row
    /// (the transform keeps zero columns zero); returns that column (o + p - 1 when there is none).
    /// </summary>
    private static int SolveBlockRow(double[] w, int n, int o, int p, double[] lu, int[] pivots)
    {
        int start = o + p;
        int last = start - 1;
        for (int r = 0; r < p; r++)
        {
            last = Math.Max(last, start + w.AsSpan(((o + r) * n) + start, n - start).LastIndexOfAnyExcept(0.0));
        }

        int width = last - start + 1;
        if (width == 0)
        {
            return last;
        }

        for (int k = 0; k < p; k++)
        {
            if (pivots[k] != k)
            {
                Swap(w.AsSpan(((o + k) * n) + start, width), w.AsSpan(((o + pivots[k]) * n) + start, width));
            }
        }

        for (int r = 1; r < p; r++)
        {
            var row = w.AsSpan(((o + r) * n) + start, width);
            for (int k = 0; k < r; k++)
            {
                double factor = lu[(r * p) + k];
                if (factor != 0)
                {
                    VectorKernels.SubtractScaled(row, factor, w.AsSpan(((o + k) * n) + start, width));
                }
            }
        }

        return last;
    }

    /// <summary>
    /// L(r, b) = S(r, b) U_b^-1 for the rows below the block (rows whose block part is zero stay zero and are skipped);
    /// returns the last row with a non-zero entry (o + p - 1 when there is none).
    /// </summary>
    private static int SolveBlockColumn(double[] w, int n, int o, int p, double[] lu)
    {
        int last = o + p - 1;
        for (int r = o + p; r < n; r++)
        {
            var x = w.AsSpan((r * n) + o, p);
            if (!x.ContainsAnyExcept(0.0))
            {
                continue;
            }

            for (int j = 0; j < p; j++)
            {
                double sum = x[j];
                for (int k = 0; k < j; k++)
                {
                    sum -= x[k] * lu[(k * p) + j];
                }

                x[j] = sum / lu[(j * p) + j];
            }

            last = r;
        }

        return last;
    }

    /// <summary>S(r, c) -= L(r, b) U(b, c) over the non-zero extent, rows in parallel when the work is large.</summary>
    private static void UpdateSchurComplement(double[] w, int n, int o, int p, int lastRow, int lastColumn)
    {
        int start = o + p;
        int rows = lastRow - start + 1;
        int width = lastColumn - start + 1;
        if (rows <= 0 || width <= 0)
        {
            return;
        }

        void UpdateRow(int r)
        {
            var factors = w.AsSpan((r * n) + o, p);
            if (!factors.ContainsAnyExcept(0.0))
            {
                return;
            }

            var target = w.AsSpan((r * n) + start, width);
            ReadOnlySpan<double> URow(int k) => w.AsSpan(((o + k) * n) + start, width);
            int k = 0;
            for (; k + 4 <= p; k += 4)
            {
                VectorKernels.SubtractScaled4(
                    target, factors[k], URow(k), factors[k + 1], URow(k + 1), factors[k + 2], URow(k + 2), factors[k + 3], URow(k + 3));
            }

            for (; k < p; k++)
            {
                VectorKernels.SubtractScaled(target, factors[k], URow(k));
            }
        }

        if ((long)rows * width * p < 1 << 22)
        {
            for (int r = start; r <= lastRow; r++)
            {
                UpdateRow(r);
            }
        }
        else
        {
            Parallel.For(start, lastRow + 1, UpdateRow);
        }
    }

    private static void Swap(Span<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            (x[i], y[i]) = (y[i], x[i]);
        }
    }
}

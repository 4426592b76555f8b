namespace GenLu;

/// <summary>
/// A diagonal block of the running Schur complement is (numerically) singular, so the matrix has no block LU
/// factorization for this partition without pivoting between blocks.
/// </summary>
public sealed class SingularSchurBlockException : SingularMatrixException
{
    public SingularSchurBlockException(int block, int blockSize, int pivotIndex, double pivotMagnitude, double threshold)
        : base($"The Schur complement block {block} (rows and columns {block * blockSize}..{((block + 1) * blockSize) - 1}) is singular: "
            + $"pivot {pivotIndex} of its LU is {pivotMagnitude:G3} (at most {threshold:G3}, i.e. N * eps * max |A_ij|), so the matrix "
            + "has no block LU without pivoting between blocks for this block size.")
    {
        Block = block;
        PivotIndex = pivotIndex;
        PivotMagnitude = pivotMagnitude;
    }

    /// <summary>The index of the singular diagonal block (0-based).</summary>
    public int Block { get; }

    /// <summary>The first pivot (0-based, within the block) at or below the threshold.</summary>
    public int PivotIndex { get; }

    /// <summary>|pivot| of that pivot.</summary>
    public double PivotMagnitude { get; }
}

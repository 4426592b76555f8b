namespace GenLu;

/// <summary>A diagonal block <c>G_i</c> of L or U cannot be factored: it has an exactly zero pivot (also
/// after rounding the factors to float) or a non-finite entry, so the structured solve is undefined.</summary>
public sealed class SingularBlockException : SingularMatrixException
{
    public SingularBlockException(string factor, int block, string tensorName, int zeroPivotColumn)
        : base(zeroPivotColumn >= 0
            ? $"{factor}.G_{block} ({tensorName}) is singular: zero pivot in column {zeroPivotColumn}."
            : $"{factor}.G_{block} ({tensorName}) has non-finite entries in its LU factors (the weights are not finite or overflow float).")
    {
        Factor = factor;
        Block = block;
        TensorName = tensorName;
        ZeroPivotColumn = zeroPivotColumn;
    }

    /// <summary>"L" or "U".</summary>
    public string Factor { get; }

    /// <summary>The leaf index i of G_i.</summary>
    public int Block { get; }

    /// <summary>The tensor's name without the factor prefix, e.g. <c>bridges.0.diag_blocks.3</c>.</summary>
    public string TensorName { get; }

    /// <summary>Zero-based column of the first zero pivot, or -1 when the factors are not finite.</summary>
    public int ZeroPivotColumn { get; }
}

using GenLu.Structure;

namespace GenLu;

/// <summary>A diagonal block <c>G_i</c> of L or U cannot be used by the float solves: an exactly zero pivot (also
/// after rounding the factors to float), LU factors that are not finite in float, or a diagonal entry of U without a
/// finite float reciprocal. The generator rejects the same models with GLU008 and the same message.</summary>
public sealed class SingularBlockException : SingularMatrixException
{
    /// <summary>A zero pivot (<paramref name="zeroPivotColumn"/> ≥ 0) or non-finite factors (-1) in <c>G_block</c>.</summary>
    /// <param name="factor">"L" or "U".</param>
    /// <param name="block">The leaf index i of G_i.</param>
    /// <param name="tensorName">The tensor's name in the weight file, e.g. <c>L.bridges.0.diag_blocks.3.W.weight</c>.</param>
    /// <param name="zeroPivotColumn">Zero-based column of the zero pivot, or -1 when the factors are not finite.</param>
    public SingularBlockException(string factor, int block, string tensorName, int zeroPivotColumn)
        : this(new SingularBlockFailure(factor, block, tensorName,
            zeroPivotColumn >= 0 ? SingularBlockDefect.ZeroPivot : SingularBlockDefect.NonFiniteFactor, zeroPivotColumn, zeroPivotColumn))
    {
    }

    internal SingularBlockException(SingularBlockFailure failure)
        : base(failure.Message)
    {
        Factor = failure.Factor;
        Block = failure.Block;
        TensorName = failure.TensorName;
        Defect = failure.Defect;
        Row = failure.Row;
        Column = failure.Column;
    }

    /// <summary>"L" or "U".</summary>
    public string Factor { get; }

    /// <summary>The leaf index i of G_i.</summary>
    public int Block { get; }

    /// <summary>The tensor's name in the weight file, e.g. <c>L.bridges.0.diag_blocks.3.W.weight</c>.</summary>
    public string TensorName { get; }

    /// <summary>What is wrong with the block.</summary>
    public SingularBlockDefect Defect { get; }

    /// <summary>Zero-based row within the block of the offending entry of the LU factors (the pivot's column for a
    /// pivot or reciprocal defect), or -1 when unknown.</summary>
    public int Row { get; }

    /// <summary>Zero-based column within the block of the offending entry of the LU factors, or -1 when unknown.</summary>
    public int Column { get; }

    /// <summary>Zero-based column of the first zero pivot (exact, or after rounding to float), or -1 for the other defects.</summary>
    public int ZeroPivotColumn => Defect is SingularBlockDefect.ZeroPivot or SingularBlockDefect.PivotRoundsToZero ? Column : -1;
}

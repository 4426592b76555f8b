namespace GenLu;

/// <summary>
/// A solve needs the inverse of a matrix, or of a block of one, that is singular (or numerically so). The base
/// of GenLu's singular-matrix errors: <see cref="SingularPivotException"/> (a dense LU with an exactly zero
/// pivot), <see cref="SingularBlockException"/> (a diagonal block <c>G_i</c> of a GFMM factor) and
/// <see cref="SingularSchurBlockException"/> (a Schur complement block of the exact construction). Catch this
/// type to handle all three.
/// </summary>
public abstract class SingularMatrixException : ArithmeticException
{
    protected SingularMatrixException(string message)
        : base(message)
    {
    }
}

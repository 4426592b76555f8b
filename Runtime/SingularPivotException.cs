namespace GenLu;

/// <summary>
/// Thrown when a solve needs the inverse of an LU factorization whose U has an exactly zero pivot.
/// </summary>
public sealed class SingularPivotException : SingularMatrixException
{
    /// <summary>Creates the exception for the 1-based index of the first zero pivot (LAPACK's info).</summary>
    public SingularPivotException(int pivotIndex)
        : base($"The matrix is singular: pivot U[{pivotIndex - 1}, {pivotIndex - 1}] (1-based pivot {pivotIndex}) is exactly zero, so the system has no unique solution.")
    {
        PivotIndex = pivotIndex;
    }

    /// <summary>1-based index of the first exactly zero diagonal entry of U (LAPACK's info).</summary>
    public int PivotIndex { get; }
}

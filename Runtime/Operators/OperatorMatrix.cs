namespace GenLu.Operators;

/// <summary>
/// A test operator as it is trained: <see cref="Matrix"/> is the discretised operator already divided by
/// <see cref="Scale"/>, stored dense and row-major (<c>Matrix[i * N + j]</c> is entry (i, j)).
/// The original operator is <c>Scale * Matrix</c>.
/// </summary>
/// <param name="Name">The registry name, e.g. <c>laplacian1d</c>.</param>
/// <param name="N">The matrix order (n for a 1D operator, g*g for a 2D operator on a g x g grid).</param>
/// <param name="Matrix">The scaled operator, N*N numbers, row-major.</param>
/// <param name="Scale">What the operator was divided by: max |A_ij|, or 1 for the 1D Laplacian.</param>
/// <param name="Parameters">The parameter values used (defaults filled in).</param>
public sealed record OperatorMatrix(
    string Name,
    int N,
    double[] Matrix,
    double Scale,
    IReadOnlyDictionary<string, double> Parameters);

/// <summary>Describes one operator of the <see cref="TestOperators.All"/> registry.</summary>
/// <param name="Name">The registry name.</param>
/// <param name="IsGrid">True when the size argument is a grid side g (N = g*g); false when it is n (N = n).</param>
/// <param name="Description">One line saying what the operator is.</param>
/// <param name="DefaultParameters">Every parameter the operator accepts, with its default value.</param>
public sealed record OperatorDescriptor(
    string Name,
    bool IsGrid,
    string Description,
    IReadOnlyDictionary<string, double> DefaultParameters);

/// <summary>A test operator known by its entries (never formed), already divided by <see cref="Scale"/>, like <see cref="OperatorMatrix"/>.</summary>
/// <param name="Name">The registry name.</param>
/// <param name="N">The matrix order.</param>
/// <param name="Entries">The scaled operator's entries.</param>
/// <param name="Scale">What the operator was divided by (max |A_ij|).</param>
/// <param name="Parameters">The parameter values used (defaults filled in).</param>
public sealed record OperatorEntries(
    string Name,
    int N,
    IMatrixEntries Entries,
    double Scale,
    IReadOnlyDictionary<string, double> Parameters);

/// <summary>A stencil test operator as a CSR matrix (never dense), already divided by <see cref="Scale"/>, like <see cref="OperatorMatrix"/>.</summary>
/// <param name="Name">The registry name.</param>
/// <param name="N">The matrix order.</param>
/// <param name="Matrix">The scaled operator.</param>
/// <param name="Scale">What the operator was divided by (max |A_ij|, or 1 for the 1D Laplacian).</param>
/// <param name="Parameters">The parameter values used (defaults filled in).</param>
public sealed record OperatorSparse(
    string Name,
    int N,
    Sparse.CsrMatrix Matrix,
    double Scale,
    IReadOnlyDictionary<string, double> Parameters);

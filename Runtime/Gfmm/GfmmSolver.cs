using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// The structured solve <c>x ≈ A⁻¹ b = U⁻¹ L⁻¹ b / s</c> of a <see cref="GfmmModel"/> in O(N P) time per
/// right-hand side (spec: "The structured solve"), in the model's <see cref="Dtype"/>. Construction factors every diagonal
/// block <c>G_i</c> of L and U once with <see cref="DiagonalBlockFactors{T}"/> (in double, rounded to float for a float32
/// model) — the same numbers the source generator embeds, so generated and run-time solves agree. The solver copies the
/// model's weights: later changes to the model do not affect it. Thread-safe given one workspace per thread.
/// <para>Span rules (the same as the generated solvers'): <c>b</c> and <c>x</c> may be the same span (the solve
/// then runs in place) but must not overlap otherwise; <c>count == 0</c> is a no-op; a batch larger than the
/// workspace's <see cref="GfmmWorkspace.BatchCapacity"/> is solved in chunks of that many vectors.</para>
/// </summary>
public sealed partial class GfmmSolver
{
    private readonly GfmmLayout lowerLayout;

    // A GfmmSolverFactors<float> or GfmmSolverFactors<double>, as Dtype says.
    private readonly GfmmSolverFactors factors;

    /// <exception cref="SingularBlockException">A <c>G_i</c> is singular or not finite.</exception>
    public GfmmSolver(GfmmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Scale = model.Scale;
        N = model.N;
        Dtype = model.Dtype;
        lowerLayout = model.L.Layout;
        factors = GfmmSolverFactors.Create(model);
    }

    /// <summary>The solves' weights and factors in <typeparamref name="T"/>; the caller has checked that it is the model's type.</summary>
    private GfmmSolverFactors<T> Factors<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => (GfmmSolverFactors<T>)factors;

    /// <summary>The model's number type: float32 models solve float vectors, float64 models double ones (factors included).</summary>
    public GfmmDtype Dtype { get; }

    public int M => lowerLayout.M;
    public int P => lowerLayout.P;

    /// <summary>The operator's order: the length of every vector a solve takes and returns (<see cref="GfmmModel.N"/>).</summary>
    public int N { get; }

    /// <summary>The blocks' order <c>M · P</c> (≥ <see cref="N"/>).</summary>
    public int PaddedN => lowerLayout.N;

    /// <summary>The model's scale <c>s</c>.</summary>
    public double Scale { get; }

    /// <summary>
    /// The sign and <c>log |det|</c> of the model's approximation of A: <c>det(s L U) = s^N · Π det G_i(L) · Π det G_i(U)</c>,
    /// since L and U are block triangular with the <c>G_i</c> on their diagonals (the padding of an order
    /// <c>N &lt; M · P</c> contributes nothing). Computed once, in double, from the factors the solves use.
    /// </summary>
    public LogDeterminant LogDeterminant => factors.LogDeterminant;

    /// <summary>The float LU factors of <c>G_i</c> of L of a float32 model (M tensors of P x P, row-major in place: unit L
    /// below the diagonal, U on and above); <see cref="LowerDiagonalFactorsOf{T}"/> for either dtype.</summary>
    public ReadOnlySpan<float> LowerDiagonalFactors => LowerDiagonalFactorsOf<float>();

    /// <summary>The row swaps of L's <c>G_i</c> (M x P, zero-based within a block).</summary>
    public ReadOnlySpan<int> LowerDiagonalPivots => factors.LowerPivots;

    public ReadOnlySpan<float> UpperDiagonalFactors => UpperDiagonalFactorsOf<float>();
    public ReadOnlySpan<int> UpperDiagonalPivots => factors.UpperPivots;

    /// <summary>The LU factors of L's <c>G_i</c> in the model's type (float for float32, double for float64).</summary>
    public ReadOnlySpan<T> LowerDiagonalFactorsOf<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GfmmArguments.CheckDtype<T>(Dtype, "solver", "T");
        return Factors<T>().Lower.Factors;
    }

    /// <summary>The LU factors of U's <c>G_i</c> in the model's type.</summary>
    public ReadOnlySpan<T> UpperDiagonalFactorsOf<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GfmmArguments.CheckDtype<T>(Dtype, "solver", "T");
        return Factors<T>().Upper.Factors;
    }

    /// <summary>A workspace of this solver's shape and dtype for batches of up to <paramref name="batchCapacity"/> vectors.</summary>
    public GfmmWorkspace CreateWorkspace(int batchCapacity = 1) => new(M, P, batchCapacity, Dtype);

    /// <summary>Solves <c>A x = b</c> with <c>A ≈ s L U</c>: <c>x = U⁻¹ L⁻¹ b / s</c>. Allocation-free.</summary>
    public void Solve(ReadOnlySpan<float> b, Span<float> x, GfmmWorkspace workspace) => Run(b, x, 1, workspace, Sweep.Lower | Sweep.Upper, transpose: false);

    /// <summary><see cref="Solve(ReadOnlySpan{float}, Span{float}, GfmmWorkspace)"/> for <paramref name="count"/> vectors stored one after another.</summary>
    public void Solve(ReadOnlySpan<float> b, Span<float> x, int count, GfmmWorkspace workspace) => Run(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: false);

    /// <summary>Solves <c>Aᵀ x = b</c>: <c>(s L U)ᵀ = s Uᵀ Lᵀ</c>, so <c>x = L⁻ᵀ U⁻ᵀ b / s</c>. Allocation-free.</summary>
    public void SolveTranspose(ReadOnlySpan<float> b, Span<float> x, GfmmWorkspace workspace) => Run(b, x, 1, workspace, Sweep.Lower | Sweep.Upper, transpose: true);

    public void SolveTranspose(ReadOnlySpan<float> b, Span<float> x, int count, GfmmWorkspace workspace) => Run(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: true);

    /// <summary>Solves <c>L z = b</c> (one factor, no scale).</summary>
    public void SolveLower(ReadOnlySpan<float> b, Span<float> z, GfmmWorkspace workspace) => Run(b, z, 1, workspace, Sweep.Lower, transpose: false);

    public void SolveLower(ReadOnlySpan<float> b, Span<float> z, int count, GfmmWorkspace workspace) => Run(b, z, count, workspace, Sweep.Lower, transpose: false);

    /// <summary>Solves <c>U z = b</c> (one factor, no scale).</summary>
    public void SolveUpper(ReadOnlySpan<float> b, Span<float> z, GfmmWorkspace workspace) => Run(b, z, 1, workspace, Sweep.Upper, transpose: false);

    public void SolveUpper(ReadOnlySpan<float> b, Span<float> z, int count, GfmmWorkspace workspace) => Run(b, z, count, workspace, Sweep.Upper, transpose: false);

    /// <summary><c>A x = b</c>; allocates a workspace on every call (use the workspace overload in loops).</summary>
    public void Solve(ReadOnlySpan<float> b, Span<float> x) => Solve(b, x, CreateWorkspace());

    /// <summary>Solves <c>A x = b</c> with a float64 model, in double throughout. Allocation-free.</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x, GfmmWorkspace workspace) => Run(b, x, 1, workspace, Sweep.Lower | Sweep.Upper, transpose: false);

    /// <summary><see cref="Solve(ReadOnlySpan{double}, Span{double}, GfmmWorkspace)"/> for <paramref name="count"/> vectors stored one after another.</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x, int count, GfmmWorkspace workspace) => Run(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: false);

    /// <summary>Solves <c>Aᵀ x = b</c> with a float64 model. Allocation-free.</summary>
    public void SolveTranspose(ReadOnlySpan<double> b, Span<double> x, GfmmWorkspace workspace) => Run(b, x, 1, workspace, Sweep.Lower | Sweep.Upper, transpose: true);

    public void SolveTranspose(ReadOnlySpan<double> b, Span<double> x, int count, GfmmWorkspace workspace) => Run(b, x, count, workspace, Sweep.Lower | Sweep.Upper, transpose: true);

    /// <summary>Solves <c>L z = b</c> with a float64 model (one factor, no scale).</summary>
    public void SolveLower(ReadOnlySpan<double> b, Span<double> z, GfmmWorkspace workspace) => Run(b, z, 1, workspace, Sweep.Lower, transpose: false);

    public void SolveLower(ReadOnlySpan<double> b, Span<double> z, int count, GfmmWorkspace workspace) => Run(b, z, count, workspace, Sweep.Lower, transpose: false);

    /// <summary>Solves <c>U z = b</c> with a float64 model (one factor, no scale).</summary>
    public void SolveUpper(ReadOnlySpan<double> b, Span<double> z, GfmmWorkspace workspace) => Run(b, z, 1, workspace, Sweep.Upper, transpose: false);

    public void SolveUpper(ReadOnlySpan<double> b, Span<double> z, int count, GfmmWorkspace workspace) => Run(b, z, count, workspace, Sweep.Upper, transpose: false);

    [Flags]
    private enum Sweep { Lower = 1, Upper = 2 }

    private void Run<T>(ReadOnlySpan<T> b, Span<T> x, int count, GfmmWorkspace workspace, Sweep sweeps, bool transpose)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        GfmmArguments.CheckBatch(N, b, x, count, workspace, M, P, inputName: "b", outputName: "x");
        GfmmArguments.CheckDtype<T>(Dtype, "solver's model", "b");
        T factor = sweeps == (Sweep.Lower | Sweep.Upper) ? T.CreateChecked(1 / Scale) : T.One;
        GfmmBatches.Run(new SolveOperation<T>(Factors<T>(), sweeps, transpose), b, x, N, PaddedN, count, factor, workspace);
    }

    /// <summary>The sweeps of one solve, in place on node-major data: <c>A x = b</c> runs L then U, <c>Aᵀ x = b</c> runs Uᵀ then Lᵀ.</summary>
    private readonly struct SolveOperation<T>(GfmmSolverFactors<T> factors, Sweep sweeps, bool transpose) : INodeMajorOperation<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public void Run(Span<T> values, int count, GfmmNodeBuffers<T> buffers)
        {
            bool lowerFirst = !transpose;
            if ((sweeps & (lowerFirst ? Sweep.Lower : Sweep.Upper)) != 0) factors.Sweep(lowerFirst, transpose, values, count, buffers);
            if ((sweeps & (lowerFirst ? Sweep.Upper : Sweep.Lower)) != 0) factors.Sweep(!lowerFirst, transpose, values, count, buffers);
        }
    }
}

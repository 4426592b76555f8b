using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// The structured solve <c>x ≈ A⁻¹ b = U⁻¹ L⁻¹ b / s</c> of a <see cref="GfmmModel"/> in O(N P) time per
/// right-hand side (spec: "The structured solve"). Construction factors every diagonal block <c>G_i</c> of
/// L and U once with <see cref="DiagonalBlockFactors"/> (in double, rounded to float) — the same
/// numbers the source generator embeds, so generated and run-time solves agree. The solver copies the
/// model's weights: later changes to the model do not affect it. Thread-safe given one workspace per thread.
/// <para>Span rules (the same as the generated solvers'): <c>b</c> and <c>x</c> may be the same span (the solve
/// then runs in place) but must not overlap otherwise; <c>count == 0</c> is a no-op; a batch larger than the
/// workspace's <see cref="GfmmWorkspace.BatchCapacity"/> is solved in chunks of that many vectors.</para>
/// </summary>
public sealed partial class GfmmSolver
{
    private readonly GfmmLayout lowerLayout;
    private readonly GfmmLayout upperLayout;
    private readonly GfmmTensorStore lowerWeights;
    private readonly GfmmTensorStore upperWeights;
    private readonly DiagonalBlockFactors lowerDiagonal;
    private readonly DiagonalBlockFactors upperDiagonal;
    private readonly GfmmPass lowerSolve;
    private readonly GfmmPass upperSolve;
    private readonly GfmmPass lowerTransposeSolve;
    private readonly GfmmPass upperTransposeSolve;

    /// <exception cref="SingularBlockException">A <c>G_i</c> is singular or not finite.</exception>
    public GfmmSolver(GfmmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Scale = model.Scale;
        N = model.N;
        lowerLayout = model.L.Layout;
        upperLayout = model.U.Layout;
        // The solver's own copy, without the tensors that are zero: their products are left out of the plans.
        lowerWeights = OwnCompactCopy(model.L);
        upperWeights = OwnCompactCopy(model.U);
        lowerDiagonal = DiagonalBlockFactors.TryCreate(lowerWeights, out var failure) ?? throw new SingularBlockException(failure!);
        upperDiagonal = DiagonalBlockFactors.TryCreate(upperWeights, out failure) ?? throw new SingularBlockException(failure!);
        lowerSolve = SolvePass(lowerWeights, transposed: false);
        upperSolve = SolvePass(upperWeights, transposed: false);
        lowerTransposeSolve = SolvePass(lowerWeights, transposed: true);
        upperTransposeSolve = SolvePass(upperWeights, transposed: true);
        var (sign, logAbs) = DiagonalBlockFactors.LogDeterminant(lowerDiagonal, upperDiagonal, N, Scale);
        LogDeterminant = new LogDeterminant(sign, logAbs);
    }

    private static GfmmTensorStore OwnCompactCopy(GfmmBlock block)
    {
        var compact = block.Store.WithoutZeroTensors();
        return ReferenceEquals(compact, block.Store) ? compact.Clone() : compact;
    }

    private static GfmmPass SolvePass(GfmmTensorStore weights, bool transposed) =>
        new(ExecutionPlan.Create(weights.Layout, PlanOperation.Solve, transposed, weights.IsDense ? null : weights.IsStored), weights);

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
    /// <c>N &lt; M · P</c> contributes nothing). Computed once, in double, from the float factors the solves use.
    /// </summary>
    public LogDeterminant LogDeterminant { get; }

    /// <summary>The float LU factors of <c>G_i</c> of L (M tensors of P x P, row-major in place: unit L below the diagonal, U on and above).</summary>
    public ReadOnlySpan<float> LowerDiagonalFactors => lowerDiagonal.Factors;

    /// <summary>The row swaps of L's <c>G_i</c> (M x P, zero-based within a block).</summary>
    public ReadOnlySpan<int> LowerDiagonalPivots => lowerDiagonal.Pivots;

    public ReadOnlySpan<float> UpperDiagonalFactors => upperDiagonal.Factors;
    public ReadOnlySpan<int> UpperDiagonalPivots => upperDiagonal.Pivots;

    public GfmmWorkspace CreateWorkspace(int batchCapacity = 1) => new(M, P, batchCapacity);

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

    [Flags]
    private enum Sweep { Lower = 1, Upper = 2 }

    private void Run(ReadOnlySpan<float> b, Span<float> x, int count, GfmmWorkspace workspace, Sweep sweeps, bool transpose)
    {
        GfmmArguments.CheckBatch(N, b, x, count, workspace, M, P, inputName: "b", outputName: "x");
        float factor = sweeps == (Sweep.Lower | Sweep.Upper) ? (float)(1 / Scale) : 1f;
        GfmmBatches.Run(new SolveOperation(this, sweeps, transpose), b, x, N, PaddedN, count, factor, workspace);
    }

    /// <summary>The sweeps of one solve, in place on node-major data: <c>A x = b</c> runs L then U, <c>Aᵀ x = b</c> runs Uᵀ then Lᵀ.</summary>
    private readonly struct SolveOperation(GfmmSolver solver, Sweep sweeps, bool transpose) : INodeMajorOperation
    {
        public void Run(Span<float> values, int count, GfmmNodeBuffers<float> buffers)
        {
            bool lowerFirst = !transpose;
            if ((sweeps & (lowerFirst ? Sweep.Lower : Sweep.Upper)) != 0) solver.SweepFactor(lowerFirst, transpose, values, count, buffers);
            if ((sweeps & (lowerFirst ? Sweep.Upper : Sweep.Lower)) != 0) solver.SweepFactor(!lowerFirst, transpose, values, count, buffers);
        }
    }

    private void SweepFactor(bool lower, bool transpose, Span<float> z, int count, GfmmNodeBuffers<float> buffers)
    {
        var (pass, weights, diagonal) = lower
            ? (transpose ? lowerTransposeSolve : lowerSolve, lowerWeights, lowerDiagonal)
            : (transpose ? upperTransposeSolve : upperSolve, upperWeights, upperDiagonal);
        pass.Run<float>(weights.Values, diagonal.Factors, diagonal.FactorsTransposed, diagonal.Pivots, default, z, count, buffers);
    }
}

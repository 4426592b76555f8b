using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>What a <see cref="GfmmSolver"/> solves with, whatever its number type: the parts that are not numbers of it.</summary>
internal abstract class GfmmSolverFactors
{
    /// <summary>The sign and <c>ln |det|</c> of <c>s L U</c> from the factored <c>G_i</c>.</summary>
    public abstract LogDeterminant LogDeterminant { get; }

    /// <summary>The row swaps of L's <c>G_i</c>.</summary>
    public abstract int[] LowerPivots { get; }

    /// <summary>The row swaps of U's <c>G_i</c>.</summary>
    public abstract int[] UpperPivots { get; }

    /// <summary>The factors of <paramref name="model"/> in its own dtype.</summary>
    /// <exception cref="SingularBlockException">A <c>G_i</c> is singular or not finite in that type.</exception>
    public static GfmmSolverFactors Create(GfmmModel model) => model.Dtype == GfmmDtype.Float64
        ? new GfmmSolverFactors<double>(model)
        : new GfmmSolverFactors<float>(model);
}

/// <summary>
/// What a <see cref="GfmmSolver"/> solves with, in the model's number type <typeparamref name="T"/>: its own compact copy
/// of L's and U's weights (<see cref="SolveWeights"/>), their factored <c>G_i</c> (<see cref="DiagonalBlockFactors{T}"/>)
/// and the four solve passes.
/// </summary>
internal sealed class GfmmSolverFactors<T> : GfmmSolverFactors
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] lowerWeights;
    private readonly T[] upperWeights;
    private readonly T[] lowerSparseFactors;
    private readonly T[] upperSparseFactors;
    private readonly GfmmPass lowerSolve;
    private readonly GfmmPass upperSolve;
    private readonly GfmmPass lowerTransposeSolve;
    private readonly GfmmPass upperTransposeSolve;

    /// <exception cref="SingularBlockException">A <c>G_i</c> is singular or not finite in <typeparamref name="T"/>.</exception>
    public GfmmSolverFactors(GfmmModel model)
    {
        var lowerStore = model.L.Store<T>();
        var upperStore = model.U.Store<T>();
        Lower = DiagonalBlockFactors<T>.TryCreate(lowerStore, out var failure) ?? throw new SingularBlockException(failure!);
        Upper = DiagonalBlockFactors<T>.TryCreate(upperStore, out failure) ?? throw new SingularBlockException(failure!);
        // Sparse tensors and G_i (a banded operator's exact factors) get the kernels that visit their entries alone.
        var lowerTensors = SparseTensors(lowerStore);
        var upperTensors = SparseTensors(upperStore);
        var lowerBlocks = SparseBlocks(Lower);
        var upperBlocks = SparseBlocks(Upper);
        ExecutionPlan Plan(GfmmTensorStore<T> store, bool transposed) => ExecutionPlan.Create(store.Layout, PlanOperation.Solve, transposed, store.IsNonZero);
        var (lowerPlan, lowerTransposePlan) = (Plan(lowerStore, transposed: false), Plan(lowerStore, transposed: true));
        var (upperPlan, upperTransposePlan) = (Plan(upperStore, transposed: false), Plan(upperStore, transposed: true));
        var lower = SolveWeights(lowerStore, lowerTensors, lowerPlan, lowerTransposePlan);
        var upper = SolveWeights(upperStore, upperTensors, upperPlan, upperTransposePlan);
        (lowerWeights, upperWeights) = (lower.Values, upper.Values);
        (lowerSparseFactors, upperSparseFactors) = (lowerBlocks.Values, upperBlocks.Values);
        GfmmPass Pass((T[] Values, int[] Offsets, LeadingBox?[] Boxes) weights, ExecutionPlan plan, SparseEntries?[] tensors,
            (SparseTriangles?[] Triangles, T[] Values, int[] Offsets) blocks) =>
            new(plan, t => weights.Offsets[t], t => tensors[t], b => blocks.Triangles[b] is { } triangles ? (triangles, blocks.Offsets[b]) : null, t => weights.Boxes[t]);
        lowerSolve = Pass(lower, lowerPlan, lowerTensors, lowerBlocks);
        upperSolve = Pass(upper, upperPlan, upperTensors, upperBlocks);
        lowerTransposeSolve = Pass(lower, lowerTransposePlan, lowerTensors, lowerBlocks);
        upperTransposeSolve = Pass(upper, upperTransposePlan, upperTensors, upperBlocks);
        var (sign, logAbs) = DiagonalBlockFactors<T>.LogDeterminant(Lower, Upper, model.N, model.Scale);
        LogDeterminant = new LogDeterminant(sign, logAbs);
    }

    public override LogDeterminant LogDeterminant { get; }

    public override int[] LowerPivots => Lower.Pivots;

    public override int[] UpperPivots => Upper.Pivots;

    /// <summary>The factored <c>G_i</c> of L.</summary>
    public DiagonalBlockFactors<T> Lower { get; }

    /// <summary>The factored <c>G_i</c> of U.</summary>
    public DiagonalBlockFactors<T> Upper { get; }

    /// <summary>
    /// The solver's own copy of a factor's weights: the tensors its solve plans multiply by (<paramref name="plans"/>; not
    /// the zero tensors, left out of the plans, nor the G_i, which the solve reads through their factored copies, nor the
    /// terms the plans prune), in the order its solve reads them (<see cref="ExecutionPlan.SolveReadOrder"/>: the RBF solve
    /// at N = 2²⁰ went from 176–224 to 88–142 ms), each dense tensor transposed, as the leading block its entries fill
    /// alone or whole (<see cref="LeadingBox"/>), and each sparse one as its entries' values in their order
    /// (<see cref="SparseEntries"/>). Offsets are -1 for the tensors left out.
    /// </summary>
    internal static (T[] Values, int[] Offsets, LeadingBox?[] Boxes) SolveWeights(GfmmTensorStore<T> store, SparseEntries?[] sparse, params ExecutionPlan[] plans)
    {
        var layout = store.Layout;
        int p = layout.P, size = layout.TensorSize;
        var read = new bool[layout.TensorCount];
        foreach (var plan in plans)
            foreach (var step in plan.StepArray)
                if (step.Kind == PlanStepKind.Product) read[step.Tensor] = true;
        var order = Array.FindAll(ExecutionPlan.SolveReadOrder(layout, store.IsNonZero), t => read[t]);
        var boxes = new LeadingBox?[layout.TensorCount];
        int Length(int t) => boxes[t]?.Length ?? sparse[t]?.Count ?? size;
        long length = 0;
        foreach (int t in order)
        {
            if (sparse[t] is null) boxes[t] = LeadingBox.Find<T>(store.Values.AsSpan(store.Offset(t), size), p) ?? LeadingBox.Whole(p);
            length += Length(t);
        }
        var values = new T[length];
        var offsets = new int[layout.TensorCount];
        Array.Fill(offsets, -1);
        int offset = 0;
        foreach (int t in order)
        {
            var tensor = store.Values.AsSpan(store.Offset(t), size);
            var packed = values.AsSpan(offset, Length(t));
            if (sparse[t] is { } entries) entries.Pack(tensor, packed);
            else boxes[t]!.Value.Pack<T>(tensor, packed, p);
            offsets[t] = offset;
            offset += packed.Length;
        }
        return (values, offsets, boxes);
    }

    /// <summary>The non-zero entries of each stored tensor that is sparse (<see cref="SparseEntries.IsSparse"/>) and does not
    /// fill a small leading block (<see cref="LeadingBox.Serves"/>; the solve then multiplies by that block), else null.</summary>
    internal static SparseEntries?[] SparseTensors(GfmmTensorStore<T> store)
    {
        var entries = new SparseEntries?[store.Layout.TensorCount];
        int size = store.Layout.TensorSize, p = store.Layout.P;
        for (int t = 0; t < entries.Length; t++)
        {
            if (!store.IsStored(t)) continue;
            var tensor = store.Values.AsSpan(store.Offset(t), size);
            if (SparseEntries.Find<T>(tensor, p) is { } sparse && !(LeadingBox.Find<T>(tensor, p) is { } box && box.Serves(sparse))) entries[t] = sparse;
        }
        return entries;
    }

    /// <summary>The strict triangles of each G_i's factors that are sparse (else null) and their packed values
    /// (<see cref="SparseTriangles.Pack{T}"/>), one block after another: the sparse solves read these, not the P x P factors.</summary>
    private static (SparseTriangles?[] Triangles, T[] Values, int[] Offsets) SparseBlocks(DiagonalBlockFactors<T> factors)
    {
        int p = factors.P, size = p * p;
        var triangles = new SparseTriangles?[factors.Blocks];
        var offsets = new int[factors.Blocks];
        int length = 0;
        for (int i = 0; i < triangles.Length; i++)
        {
            triangles[i] = SparseTriangles.Find<T>(factors.Factors.AsSpan(i * size, size), factors.FactorsTransposed.AsSpan(i * size, size), p);
            offsets[i] = length;
            length += triangles[i]?.Length ?? 0;
        }
        var values = new T[length];
        for (int i = 0; i < triangles.Length; i++)
            triangles[i]?.Pack<T>(factors.Factors.AsSpan(i * size, size), factors.FactorsTransposed.AsSpan(i * size, size), p, values.AsSpan(offsets[i]));
        return (triangles, values, offsets);
    }

    /// <summary>One factor's solve (<c>L z = b</c>, <c>U z = b</c> or their transposes) in place on node-major data.</summary>
    public void Sweep(bool lower, bool transpose, Span<T> z, int count, GfmmNodeBuffers<T> buffers)
    {
        var (pass, weights, diagonal, sparseFactors) = lower
            ? (transpose ? lowerTransposeSolve : lowerSolve, lowerWeights, Lower, lowerSparseFactors)
            : (transpose ? upperTransposeSolve : upperSolve, upperWeights, Upper, upperSparseFactors);
        pass.Run<T>(weights, diagonal.Factors, diagonal.FactorsTransposed, diagonal.Pivots, sparseFactors, default, z, count, buffers);
    }
}

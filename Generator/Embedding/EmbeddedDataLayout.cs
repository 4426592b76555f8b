// Shared source: compiled into GenLu.Generator (netstandard2.0) and the genlu-embed build tool (net10.0), so the
// literal data of small models, the binary resource of large ones and the code that reads either agree by construction.
using System;
using GenLu.Structure;

namespace GenLu.Generator.Embedding;

/// <summary>
/// How a generated solver's data is laid out, whether it is printed as literals or written as a manifest resource:
/// the weights (L's stored tensors in <see cref="WeightOrder"/>, then U's, each P x P tensor column-major, i.e. transposed), every G_i's LU factors
/// as two zero-padded column-major strict triangles, the reciprocals of U's diagonal, the pivots, and the eight plans
/// (<see cref="Plans"/>) in the order of <see cref="PlanMethodNames"/>, each as a step table (<see cref="StepTable"/>).
/// </summary>
internal static class EmbeddedDataLayout
{
    /// <summary>The generated methods that run the plans of <see cref="Plans"/>, index for index.</summary>
    public static readonly string[] PlanMethodNames =
    [
        "LowerSolve", "UpperSolve", "LowerTransposeSolve", "UpperTransposeSolve",
        "LowerApply", "UpperApply", "LowerTransposeApply", "UpperTransposeApply",
    ];

    /// <summary>Ints per step of a step table: code, tensor offset or block, source operand, target operand.</summary>
    public const int IntsPerStep = 4;

    // Step codes (the low three bits) and the flag of a negative product.
    public const int ClearCode = 0;
    public const int CopyCode = 1;
    public const int ProductCode = 2;
    public const int TransposedProductCode = 3;
    public const int LuSolveCode = 4;
    public const int LuSolveTransposedCode = 5;
    public const int NegativeFlag = 8;

    /// <summary>Bits above this shift of a product's or solve's code: its sparse pattern plus one (0: the dense kernel).</summary>
    public const int PatternShift = 4;

    // Operand kinds (the low two bits of an operand; the rest is the offset of its first number).
    public const int ScratchOperand = 0;
    public const int VectorOperand = 1;

    /// <summary>The eight plans a generated class runs (see <see cref="PlanMethodNames"/>); products by tensors that are
    /// not stored (zero) are left out by the plan itself.</summary>
    public static ExecutionPlan[] Plans(GfmmLayout lower, GfmmLayout upper, Func<int, bool> lowerStored, Func<int, bool> upperStored) =>
    [
        ExecutionPlan.Create(lower, PlanOperation.Solve, transposed: false, lowerStored),
        ExecutionPlan.Create(upper, PlanOperation.Solve, transposed: false, upperStored),
        ExecutionPlan.Create(lower, PlanOperation.Solve, transposed: true, lowerStored),
        ExecutionPlan.Create(upper, PlanOperation.Solve, transposed: true, upperStored),
        ExecutionPlan.Create(lower, PlanOperation.Apply, transposed: false, lowerStored),
        ExecutionPlan.Create(upper, PlanOperation.Apply, transposed: false, upperStored),
        ExecutionPlan.Create(lower, PlanOperation.Apply, transposed: true, lowerStored),
        ExecutionPlan.Create(upper, PlanOperation.Apply, transposed: true, upperStored),
    ];

    /// <summary>The order a factor's stored tensors are embedded in: <see cref="ExecutionPlan.SolveReadOrder"/>, so the
    /// solve reads the weights front to back (the Runtime's solver keeps its copy in the same order).</summary>
    public static int[] WeightOrder(GfmmLayout layout, Func<int, bool> isStored) => ExecutionPlan.SolveReadOrder(layout, isStored);

    /// <summary>Where each tensor of a factor starts in the weights (only stored tensors are embedded, in
    /// <see cref="WeightOrder"/>, this factor's after <paramref name="firstOffset"/> numbers), or -1 for one that is not stored.</summary>
    public static int[] TensorOffsets(GfmmLayout layout, Func<int, bool> isStored, int firstOffset)
    {
        var offsets = new int[layout.TensorCount];
        for (int t = 0; t < offsets.Length; t++) offsets[t] = -1;
        long next = firstOffset;
        foreach (int tensor in WeightOrder(layout, isStored))
        {
            if (next > int.MaxValue - layout.TensorSize)
                throw new ArgumentOutOfRangeException(nameof(layout), "The stored weights exceed 2^31 numbers.");
            offsets[tensor] = (int)next;
            next += layout.TensorSize;
        }
        return offsets;
    }

    /// <summary>For each tensor of the embedded weights in order (by its offset from <see cref="TensorOffsets"/>), its position
    /// among the stored tensors in ascending order (where a file's content or a store keeps it): the writers copy
    /// tensor <c>k</c> of the embedded weights from there.</summary>
    public static int[] StoredPositions(int[] offsets, int firstOffset, int tensorSize)
    {
        int count = 0;
        foreach (int offset in offsets) if (offset >= 0) count++;
        var positions = new int[count];
        for (int t = 0, k = 0; t < offsets.Length; t++)
            if (offsets[t] >= 0) positions[(offsets[t] - firstOffset) / tensorSize] = k++;
        return positions;
    }

    /// <summary>Writes every P x P tensor of <paramref name="rowMajor"/> (W[out, in], one after another) column-major,
    /// so that <c>W x</c> is a sum of contiguous columns.</summary>
    public static void Transpose<T>(ReadOnlySpan<T> rowMajor, int p, Span<T> destination)
    {
        int size = p * p;
        if (rowMajor.Length % size != 0 || destination.Length < rowMajor.Length)
            throw new ArgumentException("The tensors and the destination must hold whole P x P tensors.", nameof(destination));
        for (int start = 0; start < rowMajor.Length; start += size)
            for (int column = 0; column < p; column++)
                for (int row = 0; row < p; row++)
                    destination[start + column * p + row] = rowMajor[start + row * p + column];
    }

    /// <summary>Splits each block's column-major in-place LU factors into the strictly lower part of its unit-lower
    /// factor, then the strictly upper part of U, each a column-major P x P with zeros elsewhere, so the triangular
    /// sweeps run on whole vectors. <paramref name="destination"/> holds twice as many numbers.</summary>
    public static void SplitTriangles<T>(ReadOnlySpan<T> factorsColumnMajor, int p, Span<T> destination)
        where T : struct
    {
        int size = p * p;
        if (factorsColumnMajor.Length % size != 0 || destination.Length < 2L * factorsColumnMajor.Length)
            throw new ArgumentException("The factors must be whole P x P blocks and the destination twice as long.", nameof(destination));
        for (int start = 0; start < factorsColumnMajor.Length; start += size)
        {
            var lower = destination.Slice(2 * start, size);
            var upper = destination.Slice(2 * start + size, size);
            for (int column = 0; column < p; column++)
                for (int row = 0; row < p; row++)
                {
                    T value = factorsColumnMajor[start + column * p + row];
                    lower[column * p + row] = row > column ? value : default;
                    upper[column * p + row] = row < column ? value : default;
                }
        }
    }

    /// <summary>
    /// A plan as data for the looped form of the generated code, <see cref="IntsPerStep"/> ints per step: the code
    /// (<see cref="ClearCode"/> … <see cref="LuSolveTransposedCode"/>, plus <see cref="NegativeFlag"/> and the sparse pattern above <see cref="PatternShift"/>), the tensor's
    /// offset in the weights (products) or the G_i's index among all embedded blocks (solves), then the source and
    /// the target operand as <c>offset · 4 + kind</c>: a scratch slot's offset in one vector's slots, or a leaf block's
    /// offset in a (padded) vector. The generated loop runs the same kernels with the same arguments as the unrolled form.
    /// </summary>
    /// <param name="plan">One of <see cref="Plans"/>.</param>
    /// <param name="tensorOffset">Where a tensor of the plan's factor starts in the weights.</param>
    /// <param name="blockBase">Index of the factor's first G_i among the embedded blocks (0 for L, M for U).</param>
    /// <param name="sparsity">Which tensors and blocks have sparse kernels (their pattern goes above <see cref="PatternShift"/>).</param>
    public static int[] StepTable(ExecutionPlan plan, Func<int, int> tensorOffset, int blockBase, SparsePatterns sparsity)
    {
        int p = plan.Layout.P;
        var table = new int[plan.Steps.Count * IntsPerStep];
        for (int s = 0; s < plan.Steps.Count; s++)
        {
            var step = plan.Steps[s];
            int code, argument = 0;
            switch (step.Kind)
            {
                case PlanStepKind.Clear:
                    code = ClearCode;
                    break;
                case PlanStepKind.Copy:
                    code = CopyCode;
                    break;
                case PlanStepKind.Product:
                    code = (step.Transposed ? TransposedProductCode : ProductCode) | (step.Negative ? NegativeFlag : 0)
                        | (sparsity.TensorPattern(plan.Layout.Kind, step.Tensor) + 1) << PatternShift;
                    argument = tensorOffset(step.Tensor);
                    break;
                default:
                    argument = blockBase + step.Block;
                    code = (step.Transposed ? LuSolveTransposedCode : LuSolveCode) | (sparsity.BlockPattern(argument) + 1) << PatternShift;
                    break;
            }
            table[s * IntsPerStep] = code;
            table[s * IntsPerStep + 1] = argument;
            table[s * IntsPerStep + 2] = Operand(step.Source, p);
            table[s * IntsPerStep + 3] = Operand(step.Target, p);
        }
        return table;
    }

    /// <summary>The layout indices of the tensors a mask marks stored, ascending.</summary>
    public static int[] StoredIndices(bool[] stored)
    {
        int count = 0;
        foreach (bool s in stored) if (s) count++;
        var indices = new int[count];
        for (int t = 0, k = 0; t < stored.Length; t++) if (stored[t]) indices[k++] = t;
        return indices;
    }

    private static int Operand(PlanOperand operand, int p) =>
        (operand.Index * p) << 2 | (operand.Kind == OperandKind.Scratch ? ScratchOperand : VectorOperand);
}

using System;
using System.Collections.Generic;
using System.Globalization;
using GenLu.Generator.Embedding;
using GenLu.Structure;

namespace GenLu.Generator.Emit;

/// <summary>
/// Prints one triangular factor's <see cref="ExecutionPlan"/> (product or solve) as straight-line code for a fixed
/// (M, P): every step becomes one call of a panel kernel with constant offsets. The schedule itself — leaf order,
/// pruned terms, scratch slots — is the plan's; this class only spells it.
/// <para>Every method runs a panel of <c>count</c> vectors through the tree together (vector r's blocks <c>stride</c> floats
/// after vector r−1's — PaddedN, or the solver's PanelStride for a copied panel — its scratch slots SlotsLength floats after), so each step is one kernel call for the whole
/// panel (see <see cref="PanelProductEmitter"/>); one vector is the panel of one.</para>
/// </summary>
internal sealed class ScheduleEmitter
{
    private readonly ExecutionPlan plan;
    private readonly string prefix;
    private readonly Func<int, int> tensorOffset;
    private readonly int blockBase;
    private readonly int p;
    private readonly ElementType element;
    private readonly SparsePatterns sparsity;

    /// <param name="plan">A Lower (L) or Upper (U) factor's plan.</param>
    /// <param name="prefix">"L." or "U.", for the tensor names written as comments.</param>
    /// <param name="tensorOffset">Where a tensor of this factor starts in the embedded weights (only stored tensors
    /// are embedded, and the plan multiplies by no other).</param>
    /// <param name="blockBase">Index of the factor's first G_i among the embedded LU factors.</param>
    /// <param name="element">The number type of the generated code.</param>
    /// <param name="sparsity">The tensors and blocks whose steps call a sparse kernel (<see cref="SparseKernelEmitter"/>).</param>
    public ScheduleEmitter(ExecutionPlan plan, string prefix, Func<int, int> tensorOffset, int blockBase, ElementType element, SparsePatterns sparsity)
    {
        this.sparsity = sparsity;
        this.element = element;
        this.plan = plan;
        this.prefix = prefix;
        this.tensorOffset = tensorOffset;
        this.blockBase = blockBase;
        p = plan.Layout.P;
    }

    /// <summary>Floats of scratch slots one vector needs to run every plan of <paramref name="plans"/>.</summary>
    public static int SlotsLength(IEnumerable<ExecutionPlan> plans)
    {
        int slots = 0, blockSize = 0;
        foreach (var plan in plans)
        {
            if (plan.ScratchSlots > slots) slots = plan.ScratchSlots;
            blockSize = plan.Layout.P;
        }
        return slots * blockSize;
    }

    public void Emit(CodeWriter writer, string methodName)
    {
        bool solve = plan.Operation == PlanOperation.Solve;
        string factor = $"{prefix.TrimEnd('.')}{(plan.Transposed ? "ᵀ" : "")}", order = plan.Ascending ? "ascending" : "descending";
        if (solve)
        {
            writer.Line($"/// <summary>Solves {factor} leaf by leaf ({order}), in place: x holds the right-hand sides on entry, <paramref name=\"stride\"/> apart.</summary>");
            writer.Open($"private static void {methodName}({element.Span} x, {element.Span} work, int count, int stride)");
        }
        else
        {
            writer.Line($"/// <summary>Multiplies by {factor} leaf by leaf ({order}); x and y may be the same span, their vectors <paramref name=\"stride\"/> apart.</summary>");
            writer.Open($"private static void {methodName}({element.ReadOnlySpan} x, {element.Span} y, {element.Span} work, int count, int stride)");
        }
        writer.Line($"{element.ReadOnlySpan} w = Weights;");
        if (solve)
        {
            writer.Line($"{element.ReadOnlySpan} factors = Factors;");
            writer.Line($"{element.ReadOnlySpan} inverseDiagonals = InverseDiagonals;");
            writer.Line("global::System.ReadOnlySpan<int> pivots = Pivots;");
        }

        int leaf = -1;
        foreach (var step in plan.Steps)
        {
            if (step.Leaf != leaf && step.Leaf >= 0) writer.Line($"// leaf {I(step.Leaf)}");
            leaf = step.Leaf;
            writer.Line(Statement(step, solve));
        }
        writer.Close();
        writer.Line();
    }

    /// <summary>The looped form: the method runs the plan's step table (<see cref="EmbeddedDataLayout.StepTable"/>,
    /// embedded with the data) through <c>RunSteps</c>, the same kernel calls the unrolled form spells out, so the
    /// source no longer grows with M. A solve works in place: x is both the vectors read and those written.</summary>
    /// <param name="planIndex">The plan's index in <see cref="EmbeddedDataLayout.Plans"/> (its table in <c>StepTables</c>).</param>
    public void EmitLooped(CodeWriter writer, string methodName, int planIndex)
    {
        bool solve = plan.Operation == PlanOperation.Solve;
        string factor = $"{prefix.TrimEnd('.')}{(plan.Transposed ? "ᵀ" : "")}", order = plan.Ascending ? "ascending" : "descending";
        writer.Line($"/// <summary>{(solve ? "Solves" : "Multiplies by")} {factor} leaf by leaf ({order}): {I(plan.Steps.Count)} steps of the plan's step table.</summary>");
        writer.Line(solve
            ? $"private static void {methodName}({element.Span} x, {element.Span} work, int count, int stride) => RunSteps(StepTable({I(planIndex)}), x, x, work, count, stride);"
            : $"private static void {methodName}({element.ReadOnlySpan} x, {element.Span} y, {element.Span} work, int count, int stride) => RunSteps(StepTable({I(planIndex)}), x, y, work, count, stride);");
        writer.Line();
    }

    /// <summary>The interpreter of the looped form: each step of a table is one call of the panel kernels, with the
    /// arguments the unrolled form would print as constants (see <see cref="EmbeddedDataLayout.StepTable"/>).</summary>
    public static void EmitStepRunner(CodeWriter writer, ElementType element, SparsePatterns sparsity)
    {
        // The sparse kernels' branches exist only in a class that has such kernels (the pattern bits are then set).
        string pattern = $"code >> {I(EmbeddedDataLayout.PatternShift)}";
        string Call(string dense, string denseArguments, string sparse, string sparseArguments, bool present) => present
            ? $"if ({pattern} == 0) {dense}({denseArguments});\n                else {sparse}(({pattern}) - 1, {sparseArguments})"
            : $"{dense}({denseArguments})";
        string Product(bool transposed)
        {
            string arguments = "w.Slice(argument, TensorSize), fromSlot ? work.Slice(source >> 2) : x.Slice(source >> 2), fromSlot ? SlotsLength : stride,\n" +
                $"                    to, toStride, count, (code & {I(EmbeddedDataLayout.NegativeFlag)}) != 0 ? {element.Literal(-1)} : {element.Literal(1)}";
            return Call(transposed ? "AddTransposedProduct" : "AddProduct", arguments, SparseKernelEmitter.ProductName(transposed, -1), arguments, sparsity.Products.Length > 0);
        }
        string Solve(bool transposed)
        {
            const string blockData = "factors.Slice(2 * argument * TensorSize, 2 * TensorSize), inverseDiagonals.Slice(argument * P, P)";
            return Call(transposed ? "LuSolveTransposed" : "LuSolve", blockData + ", pivots.Slice(argument * P, P), to, toStride, count",
                SparseKernelEmitter.SolveName(transposed, -1), blockData + ", to, toStride, count", sparsity.SolveLower.Length > 0) + ";";
        }
        writer.Lines($$"""
        /// <summary>Runs a step table over a panel: the vectors read are in <paramref name="x"/>, those written in
        /// <paramref name="y"/> (the same span for a solve), <paramref name="stride"/> apart, scratch slots in <paramref name="work"/>.</summary>
        private static void RunSteps(global::System.ReadOnlySpan<int> steps, {{element.ReadOnlySpan}} x, {{element.Span}} y, {{element.Span}} work, int count, int stride)
        {
            {{element.ReadOnlySpan}} w = Weights;
            {{element.ReadOnlySpan}} factors = Factors;
            {{element.ReadOnlySpan}} inverseDiagonals = InverseDiagonals;
            global::System.ReadOnlySpan<int> pivots = Pivots;
            for (int s = 0; s + {{I(EmbeddedDataLayout.IntsPerStep - 1)}} < steps.Length; s += {{I(EmbeddedDataLayout.IntsPerStep)}})
            {
                int code = steps[s], argument = steps[s + 1], source = steps[s + 2], target = steps[s + 3];
                bool fromSlot = (source & 3) == {{I(EmbeddedDataLayout.ScratchOperand)}}, toSlot = (target & 3) == {{I(EmbeddedDataLayout.ScratchOperand)}};
                {{element.Span}} to = toSlot ? work.Slice(target >> 2) : y.Slice(target >> 2);
                int toStride = toSlot ? SlotsLength : stride;
                switch (code & 7)
                {
                    case {{I(EmbeddedDataLayout.ClearCode)}}:
                        ClearBlocks(to, toStride, count);
                        break;
                    case {{I(EmbeddedDataLayout.CopyCode)}}:
                        CopyBlocks(fromSlot ? work.Slice(source >> 2) : x.Slice(source >> 2), fromSlot ? SlotsLength : stride, to, toStride, count);
                        break;
                    case {{I(EmbeddedDataLayout.ProductCode)}}:
                        {{Product(transposed: false)}};
                        break;
                    case {{I(EmbeddedDataLayout.TransposedProductCode)}}:
                        {{Product(transposed: true)}};
                        break;
                    case {{I(EmbeddedDataLayout.LuSolveCode)}}:
                        {{Solve(transposed: false)}}
                        break;
                    default:
                        {{Solve(transposed: true)}}
                        break;
                }
            }
        }

        """);
    }

    private string Statement(PlanStep step, bool solve)
    {
        switch (step.Kind)
        {
            case PlanStepKind.Clear:
                string value = step.Level < 0 ? "" : $" // {(step.IsDecoderValue ? "y" : "s")}[{I(step.Level)}][{I(step.Node)}]";
                return $"ClearBlocks({Operand(step.Target, solve)}, count);{value}";
            case PlanStepKind.Product:
                int pattern = sparsity.TensorPattern(plan.Layout.Kind, step.Tensor);
                string product = pattern == SparsePatterns.Dense ? (step.Transposed ? "AddTransposedProduct" : "AddProduct") : SparseKernelEmitter.ProductName(step.Transposed, pattern);
                return $"{product}(w.Slice({I(tensorOffset(step.Tensor))}, TensorSize), " +
                    $"{Operand(step.Source, solve)}, {Operand(step.Target, solve)}, count, {element.Literal(step.Negative ? -1 : 1)}); // {prefix}{plan.Layout.TensorName(step.Tensor)}";
            case PlanStepKind.DiagonalSolve:
                int block = blockBase + step.Block, blockPattern = sparsity.BlockPattern(block);
                string blockData = $"factors.Slice({I(2 * block * p * p)}, 2 * TensorSize), inverseDiagonals.Slice({I(block * p)}, P)";
                return blockPattern == SparsePatterns.Dense
                    ? $"{(step.Transposed ? "LuSolveTransposed" : "LuSolve")}({blockData}, pivots.Slice({I(block * p)}, P), {Operand(step.Target, solve)}, count); // G_{I(step.Block)}"
                    : $"{SparseKernelEmitter.SolveName(step.Transposed, blockPattern)}({blockData}, {Operand(step.Target, solve)}, count); // G_{I(step.Block)}";
            default:
                return $"CopyBlocks({Operand(step.Source, solve)}, {Operand(step.Target, solve)}, count);";
        }
    }

    /// <summary>An operand as a panel argument: the span from its first vector's block, and the stride between
    /// vectors (the schedule's stride for the vectors, SlotsLength for scratch slots). Solves work in place on x.</summary>
    private string Operand(PlanOperand operand, bool solve)
    {
        switch (operand.Kind)
        {
            case OperandKind.Scratch: return $"work.Slice({I(operand.Index * p)}), SlotsLength";
            case OperandKind.Input: return $"x.Slice({I(operand.Index * p)}), stride";
            default: return $"{(solve ? "x" : "y")}.Slice({I(operand.Index * p)}), stride";
        }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

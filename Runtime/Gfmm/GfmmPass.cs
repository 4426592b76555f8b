using System.Numerics;
using System.Runtime.Intrinsics.X86;
using GenLu.Kernels;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// An <see cref="ExecutionPlan"/> made ready to run over node-major panels (see <see cref="GfmmKernels"/>):
/// each plan operand is a P x count panel (leaf block k of the caller's data at <c>k · P · count</c>, scratch slot
/// j of <see cref="GfmmNodeBuffers{T}.Slots"/> likewise). Built once per block or solver. The schedule is the
/// plan's; this class only maps its steps onto the kernels: a Clear followed by the first product into the same
/// operand becomes one overwriting product, and a run of subtracted products is gathered in one panel and
/// subtracted once (the same terms, in the same order).
/// </summary>
internal sealed unsafe class GfmmPass
{
    private enum Op : byte
    {
        Clear, Multiply, MultiplyAdd, GatherFirst, GatherAdd, SubtractGather, DiagonalSolve, Copy,

        // The same with a sparse tensor or G_i (Instruction.Sparse indexes the pass's table of their entries).
        SparseMultiply, SparseMultiplyAdd, SparseGatherFirst, SparseGatherAdd, SparseDiagonalSolve,
    }

    private readonly struct Instruction(Op op, int tensor, PlanOperand source, PlanOperand target)
    {
        public readonly Op Op = op;
        public readonly int Tensor = tensor; // where a product's tensor starts in the weights; the G_i of a diagonal solve
        public readonly OperandKind SourceKind = source.Kind;
        public readonly int SourceIndex = source.Index;
        public readonly OperandKind TargetKind = target.Kind;
        public readonly int TargetIndex = target.Index;

        // What the next step that reads weights or diagonal factors will read, prefetched while this one runs (see
        // Prefetch): where its tensor starts in the weights, or which block's factors it solves with; -1 for neither.
        public int NextTensor { get; init; } = -1;
        public int NextFactors { get; init; } = -1;

        // Whether that block's solve is the sparse one; NextFactors is then where its values start in the packed sparse
        // factors.
        public bool NextFactorsSparse { get; init; }

        // How many values the next read covers: a product's Block length or sparse tensor's entry count from NextTensor, a
        // sparse block's packed values from NextFactors (a dense block's factors are always P x P).
        public int NextLength { get; init; }

        // A sparse op's entry in sparseTensors (products) or sparseBlocks (solves); -1 otherwise.
        public int Sparse { get; init; } = -1;

        // What a product reads at Tensor: the whole P x P tensor, or the leading block of it that the weights hold packed
        // alone (LeadingBox; the product then applies the other op to a block held transposed).
        public LeadingBox Block { get; init; }
    }

    private readonly Instruction[] program;
    private readonly List<SparseEntries> sparseTensors = [];
    private readonly List<(SparseTriangles Triangles, int Offset)> sparseBlocks = [];

    // How many values of dense G_i factors a run reads (one P x P copy per dense diagonal solve).
    private readonly long denseFactorValues;
    private readonly int p;
    private readonly int tensorSize;
    private readonly bool transposed;

    /// <param name="plan">The schedule.</param>
    /// <param name="offsetOf">Where each tensor starts in the weights the pass will be run with, -1 for one that is not
    /// stored (null: every tensor is stored, tensor t at t · P²); the plan must leave out the tensors that are not.</param>
    /// <param name="sparseTensor">The non-zero entries of each tensor that is sparse, null for the others (null: none is); the
    /// weights hold such a tensor as its entries' values alone, in their order.</param>
    /// <param name="sparseBlock">The factors' strict triangles of each G_i that is sparse and where their packed values
    /// (<see cref="SparseTriangles.Pack{T}"/>) start in the sparse factors the pass will be run with; null for the others
    /// (null: none is).</param>
    /// <param name="box">The leading block of each dense tensor that the weights hold packed alone (<see cref="LeadingBox"/>), null for
    /// the others (null: none).</param>
    public GfmmPass(ExecutionPlan plan, Func<int, int>? offsetOf = null, Func<int, SparseEntries?>? sparseTensor = null,
        Func<int, (SparseTriangles Triangles, int Offset)?>? sparseBlock = null, Func<int, LeadingBox?>? box = null)
    {
        Plan = plan;
        p = plan.Layout.P;
        tensorSize = plan.Layout.TensorSize;
        transposed = plan.Transposed;
        program = Compile(plan.StepArray, tensor =>
        {
            int offset = offsetOf is null ? tensor * tensorSize : offsetOf(tensor);
            return offset >= 0 ? offset : throw new ArgumentException($"The plan multiplies by tensor {tensor}, which the store does not hold.", nameof(plan));
        }, sparseTensor ?? (_ => null), sparseBlock ?? (_ => null), box ?? (_ => null));
        denseFactorValues = (long)program.Count(step => step.Op == Op.DiagonalSolve) * tensorSize;
    }

    /// <summary>The plan of <paramref name="operation"/> for the tensors <paramref name="store"/> holds, ready to run with its values.</summary>
    public static GfmmPass For<T>(GfmmTensorStore<T> store, PlanOperation operation, bool transposed)
        where T : struct, IEquatable<T> =>
        new(ExecutionPlan.Create(store.Layout, operation, transposed, store.IsDense ? null : store.IsStored), store.Offset);

    public ExecutionPlan Plan { get; }

    /// <summary>
    /// Runs the plan over <paramref name="count"/> node-major vectors: Apply reads <paramref name="input"/> and
    /// writes <paramref name="output"/> (they may be the same memory); Solve works in place on
    /// <paramref name="output"/> (b on entry) with the diagonal blocks' LU factors (the sparse ones' packed values in
    /// <paramref name="sparseFactors"/>) and ignores the input.
    /// </summary>
    public void Run<T>(ReadOnlySpan<T> weights, ReadOnlySpan<T> diagonalFactors, ReadOnlySpan<T> diagonalFactorsTransposed,
        ReadOnlySpan<int> diagonalPivots, ReadOnlySpan<T> sparseFactors, ReadOnlySpan<T> input, Span<T> output, int count, GfmmNodeBuffers<T> buffers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int panel = p * count;
        Span<T> slots = buffers.Slots(count);
        Span<T> gather = buffers.Gather(count);
        int tensorBytes = tensorSize * sizeof(T);
        // Everything a run reads: the weights, the dense G_i factors and the sparse ones' packed values (a banded operator's
        // factors are almost all of the last kind: at N = 2²⁰ its weights are 0.1 MB and its sparse factors 25 MB).
        bool prefetch = Sse.IsSupported && (weights.Length + denseFactorValues + sparseFactors.Length) * sizeof(T) > CacheResidentBytes;
        fixed (T* weightsPointer = weights)
        fixed (T* factorsPointer = GfmmKernels.ReadsTransposedFactors<T>(transposed, p, count) ? diagonalFactorsTransposed : diagonalFactors)
        fixed (T* sparseFactorsPointer = sparseFactors)
        foreach (ref readonly var step in program.AsSpan())
        {
            if (prefetch && step.NextTensor >= 0) Prefetch(weightsPointer + step.NextTensor, step.NextLength * sizeof(T));
            else if (prefetch && step.NextFactorsSparse) Prefetch(sparseFactorsPointer + step.NextFactors, step.NextLength * sizeof(T));
            else if (prefetch && step.NextFactors >= 0) Prefetch(factorsPointer + ((long)step.NextFactors * tensorSize), tensorBytes);
            switch (step.Op)
            {
                case Op.Clear:
                    Target(step, output, slots, panel).Clear();
                    break;
                case Op.Multiply:
                    DenseProduct(step, weights, Source(step, input, output, slots, panel), Target(step, output, slots, panel), count, overwrite: true);
                    break;
                case Op.MultiplyAdd:
                    DenseProduct(step, weights, Source(step, input, output, slots, panel), Target(step, output, slots, panel), count, overwrite: false);
                    break;
                case Op.GatherFirst:
                    DenseProduct(step, weights, Source(step, input, output, slots, panel), gather, count, overwrite: true);
                    break;
                case Op.GatherAdd:
                    DenseProduct(step, weights, Source(step, input, output, slots, panel), gather, count, overwrite: false);
                    break;
                case Op.SubtractGather:
                    Level1.Subtract<T>(gather, Target(step, output, slots, panel));
                    break;
                case Op.DiagonalSolve:
                    int block = step.Tensor;
                    GfmmKernels.LuSolve(diagonalFactors.Slice(block * tensorSize, tensorSize), diagonalFactorsTransposed.Slice(block * tensorSize, tensorSize),
                        diagonalPivots.Slice(block * p, p), transposed, Target(step, output, slots, panel), p, count);
                    break;
                case Op.SparseMultiply or Op.SparseMultiplyAdd or Op.SparseGatherFirst or Op.SparseGatherAdd:
                    // An overwriting product clears its target first; a gathered one writes the gather panel.
                    var sparseTarget = step.Op is Op.SparseGatherFirst or Op.SparseGatherAdd ? gather : Target(step, output, slots, panel);
                    if (step.Op is Op.SparseMultiply or Op.SparseGatherFirst) sparseTarget.Clear();
                    var entries = sparseTensors[step.Sparse];
                    GfmmKernels.SparseMultiplyAdd(weights.Slice(step.Tensor, entries.Count), entries, transposed, Source(step, input, output, slots, panel), sparseTarget, p, count);
                    break;
                case Op.SparseDiagonalSolve:
                    var (triangles, offset) = sparseBlocks[step.Sparse];
                    GfmmKernels.SparseLuSolve(sparseFactors.Slice(offset, triangles.Length), diagonalPivots.Slice(step.Tensor * p, p), triangles, transposed,
                        Target(step, output, slots, panel), p, count);
                    break;
                default:
                    Source(step, input, output, slots, panel).CopyTo(Target(step, output, slots, panel));
                    break;
            }
        }
    }

    /// <summary><see cref="Run{T}"/> of an Apply plan (no diagonal factors).</summary>
    public void Apply<T>(ReadOnlySpan<T> weights, ReadOnlySpan<T> input, Span<T> output, int count, GfmmNodeBuffers<T> buffers)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Run(weights, default, default, default, default, input, output, count, buffers);

    private Instruction[] Compile(PlanStep[] steps, Func<int, int> offsetOf, Func<int, SparseEntries?> sparseTensor, Func<int, (SparseTriangles Triangles, int Offset)?> sparseBlock,
        Func<int, LeadingBox?> box)
    {
        var whole = new LeadingBox(p, p, Transposed: false);
        // A product by a sparse tensor becomes the sparse form of its op, with the tensor's entries in the table; one by a
        // tensor filling only a leading box reads that box.
        Instruction Product(Op op, PlanStep product)
        {
            var instruction = new Instruction(op, offsetOf(product.Tensor), product.Source, product.Target) { Block = box(product.Tensor) ?? whole };
            if (instruction.Block != whole) return instruction;
            if (sparseTensor(product.Tensor) is not { } entries) return instruction;
            sparseTensors.Add(entries);
            var sparseOp = op switch { Op.Multiply => Op.SparseMultiply, Op.MultiplyAdd => Op.SparseMultiplyAdd, Op.GatherFirst => Op.SparseGatherFirst, _ => Op.SparseGatherAdd };
            return new Instruction(sparseOp, instruction.Tensor, product.Source, product.Target) { Sparse = sparseTensors.Count - 1, Block = whole };
        }

        var program = new List<Instruction>(steps.Length);
        for (int i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            switch (step.Kind)
            {
                case PlanStepKind.Clear when i + 1 < steps.Length && IsAddedProductInto(steps[i + 1], step.Target):
                    var product = steps[++i];
                    program.Add(Product(Op.Multiply, product));
                    break;
                case PlanStepKind.Clear:
                    program.Add(new Instruction(Op.Clear, -1, default, step.Target));
                    break;
                case PlanStepKind.Product when step.Negative:
                    bool continues = i > 0 && IsSubtractedProductInto(steps[i - 1], step.Target);
                    program.Add(Product(continues ? Op.GatherAdd : Op.GatherFirst, step));
                    if (i + 1 == steps.Length || !IsSubtractedProductInto(steps[i + 1], step.Target))
                        program.Add(new Instruction(Op.SubtractGather, -1, default, step.Target));
                    break;
                case PlanStepKind.Product:
                    program.Add(Product(Op.MultiplyAdd, step));
                    break;
                case PlanStepKind.DiagonalSolve:
                    if (sparseBlock(step.Block) is { } triangles)
                    {
                        sparseBlocks.Add(triangles);
                        program.Add(new Instruction(Op.SparseDiagonalSolve, step.Block, default, step.Target) { Sparse = sparseBlocks.Count - 1 });
                    }
                    else
                        program.Add(new Instruction(Op.DiagonalSolve, step.Block, default, step.Target));
                    break;
                default:
                    program.Add(new Instruction(Op.Copy, -1, step.Source, step.Target));
                    break;
            }
        }
        int nextTensor = -1, nextFactors = -1, nextLength = 0;
        bool nextSparse = false;
        for (int i = program.Count - 1; i >= 0; i--)
        {
            var instruction = program[i];
            program[i] = instruction with { NextTensor = nextTensor, NextFactors = nextFactors, NextLength = nextLength, NextFactorsSparse = nextSparse };
            if (instruction.Op is Op.Multiply or Op.MultiplyAdd or Op.GatherFirst or Op.GatherAdd)
                (nextTensor, nextFactors, nextLength, nextSparse) = (instruction.Tensor, -1, instruction.Block.Length, false);
            else if (instruction.Op is Op.SparseMultiply or Op.SparseMultiplyAdd or Op.SparseGatherFirst or Op.SparseGatherAdd)
                (nextTensor, nextFactors, nextLength, nextSparse) = (instruction.Tensor, -1, sparseTensors[instruction.Sparse].Count, false);
            else if (instruction.Op is Op.DiagonalSolve)
                (nextTensor, nextFactors, nextSparse) = (-1, instruction.Tensor, false);
            else if (instruction.Op is Op.SparseDiagonalSolve)
                (nextTensor, nextFactors, nextLength, nextSparse) = (-1, sparseBlocks[instruction.Sparse].Offset, sparseBlocks[instruction.Sparse].Triangles.Length, true);
        }
        return program.ToArray();
    }

    /// <summary>
    /// Asks for what the next step reads while this one computes. A tensor (or a block's LU factors) is one P x P block,
    /// 4 KB at P = 32, at its own place in memory, so every step starts on a new page, where the hardware prefetchers
    /// stop: without this, the solve of a model far beyond the caches waited for memory at every step (N = 262,144,
    /// 470 MB of weights: 83 ms a solve, 45 ms with it; N = 16,384: 3.4 → 1.5 ms). Weights that fit the last-level
    /// cache (<see cref="CacheResidentBytes"/>) come from it after the first solve, and prefetching them only costs
    /// instructions (about 8 % at N = 4,096, one right-hand side), so they are not prefetched.
    /// </summary>
    private const long CacheResidentBytes = 16L << 20;

    private static void Prefetch(void* start, int bytes)
    {
        byte* line = (byte*)start;
        for (int b = 0; b < bytes; b += 64) Sse.Prefetch0(line + b);
    }

    private static bool IsAddedProductInto(PlanStep step, PlanOperand target) =>
        step.Kind == PlanStepKind.Product && !step.Negative && step.Target.Equals(target) && !step.Source.Equals(target);

    private static bool IsSubtractedProductInto(PlanStep step, PlanOperand target) =>
        step.Kind == PlanStepKind.Product && step.Negative && step.Target.Equals(target);

    /// <summary>A dense product step: <c>target (+)= op(W) source</c> with the step's block of the weights.</summary>
    private void DenseProduct<T>(in Instruction step, ReadOnlySpan<T> weights, ReadOnlySpan<T> source, Span<T> target, int count, bool overwrite)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var block = step.Block;
        var w = weights.Slice(step.Tensor, block.Length);
        if (overwrite) GfmmKernels.Multiply(w, transposed != block.Transposed, source, target, p, count, block.Rows, block.Columns);
        else GfmmKernels.MultiplyAdd(w, transposed != block.Transposed, source, target, p, count, block.Rows, block.Columns);
    }

    private static ReadOnlySpan<T> Source<T>(in Instruction step, ReadOnlySpan<T> input, Span<T> output, Span<T> slots, int panel) => step.SourceKind switch
    {
        OperandKind.Input => input.Slice(step.SourceIndex * panel, panel),
        OperandKind.Output => output.Slice(step.SourceIndex * panel, panel),
        _ => slots.Slice(step.SourceIndex * panel, panel),
    };

    private static Span<T> Target<T>(in Instruction step, Span<T> output, Span<T> slots, int panel) =>
        step.TargetKind == OperandKind.Output ? output.Slice(step.TargetIndex * panel, panel) : slots.Slice(step.TargetIndex * panel, panel);
}

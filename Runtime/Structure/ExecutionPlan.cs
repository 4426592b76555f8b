// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace GenLu.Structure;

/// <summary>
/// The one schedule of a GFMM block's product or structured solve: an immutable list of steps over abstract
/// operands (leaf blocks of the caller's vectors, scratch slots), with every known-zero term left out and the
/// scratch slots assigned once. The Runtime interprets it over node-major panels; the source generator prints
/// it as straight-line code. Each operand is one P-vector per caller vector, so a plan serves any panel width.
/// <para>
/// Triangular blocks stream the leaves in their triangular order (ascending for L and Uᵀ, descending for U and
/// Lᵀ, spec: "The structured solve"). For the effective operator F (the block, or its transpose run backwards
/// through the graph, spec: "Transposed product") <c>up(l, k)</c> pushes node k of level l into its parent
/// (E, or Dᵀ), <c>down(l, k)</c> carries the parent's decoder value into it (D, or Eᵀ) and <c>bridge(l, k)</c>
/// couples in the neighbour visited just before k. At each leaf i:
/// </para>
/// <list type="number">
/// <item>for every level l ≥ 1 whose node k = i >> l starts at i, <c>y[l] = bridge(l, k) s[l][prev] + down(l, k) y[l+1]</c>
/// is formed once, leaving out terms known to be zero (the root of L and U is zero, and so is every decoder
/// value fed only by zeros);</item>
/// <item>the leaf: solve <c>z_i = G_i⁻¹ (b_i − bridge(0, i) z_prev − down(0, i) y[1])</c> in place, or form
/// <c>y_i = G_i x_i + bridge(0, i) x_prev + down(0, i) y[1]</c> in the residual slot, keep <c>x_i</c> in the
/// previous-input slot and only then write <c>y_i</c> (so input and output may be the same vector);</item>
/// <item>the leaf value is pushed up through the encoder edges while nodes complete, skipping encoder sums that
/// are never read (the last node of a level in the sweep order feeds only the zero root).</item>
/// </list>
/// Slots: 0 the residual, 1 the previous input, <c>1 + l</c> the decoder value of level l and <c>Levels + l</c>
/// the encoder sum of level l (l = 1 … Levels−1): <c>2 · log2(M)</c> slots.
/// <para>
/// A general block (tri bridges and a root) is applied in two parts: the upward pass stores every encoder sum
/// (each interior node has its own slot, since the bridges read both neighbours), then the downward pass streams
/// the leaves in ascending order as above, with one decoder slot per level and bridges from both neighbours;
/// it too works in place. General blocks have no solve.
/// </para>
/// </summary>
public sealed class ExecutionPlan
{
    private const int ResidualSlot = 0;
    private const int PreviousSlot = 1;

    private readonly PlanStep[] steps;

    private ExecutionPlan(GfmmLayout layout, PlanOperation operation, bool transposed, bool ascending, List<PlanStep> steps)
    {
        Layout = layout;
        Operation = operation;
        Transposed = transposed;
        Ascending = ascending;
        this.steps = steps.ToArray();
        Steps = new ReadOnlyCollection<PlanStep>(this.steps);
        int slots = 0;
        foreach (var step in this.steps)
        {
            if (step.Target.Kind == OperandKind.Scratch) slots = Math.Max(slots, step.Target.Index + 1);
            if (step.Source.Kind == OperandKind.Scratch) slots = Math.Max(slots, step.Source.Index + 1);
        }
        ScratchSlots = slots;
    }

    /// <summary>The block this plan runs.</summary>
    public GfmmLayout Layout { get; }

    /// <summary>Solve or Apply.</summary>
    public PlanOperation Operation { get; }

    /// <summary>The plan runs the block's transpose.</summary>
    public bool Transposed { get; }

    /// <summary>The leaves are streamed first to last (else last to first).</summary>
    public bool Ascending { get; }

    /// <summary>The steps, in the order they run.</summary>
    public IReadOnlyList<PlanStep> Steps { get; }

    /// <summary>Scratch slots the plan uses (slot indices are below this): each is one P-vector per caller vector.</summary>
    public int ScratchSlots { get; }

    internal PlanStep[] StepArray => steps;

    /// <summary>The plan of <paramref name="operation"/> with <paramref name="layout"/>'s block (or its transpose).</summary>
    /// <param name="layout">The block's shape.</param>
    /// <param name="operation">Solve or Apply.</param>
    /// <param name="transposed">Run the block's transpose.</param>
    /// <param name="isStored">Which tensors the block stores (null: all). A tensor that is not stored is zero: its
    /// products are left out, and so is every product, clear and copy whose value can then only be zero or is never
    /// read (see <see cref="WithoutZeroTerms"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="layout"/> is null.</exception>
    /// <exception cref="ArgumentException">A solve of a general block (it is not triangular).</exception>
    public static ExecutionPlan Create(GfmmLayout layout, PlanOperation operation, bool transposed, Func<int, bool>? isStored = null)
    {
        var plan = CreateFull(layout, operation, transposed);
        return isStored is null ? plan : new ExecutionPlan(layout, operation, transposed, plan.Ascending, WithoutZeroTerms(plan.steps, isStored));
    }

    /// <summary>
    /// Every tensor of a triangular block that <paramref name="isStored"/> marks, once: first those its solve multiplies
    /// by, in the order the solve first reads them, then the others in ascending order. Weights laid out in this order
    /// are streamed front to back by a solve (and mostly back to front by the transposed solve) instead of being read
    /// from the layout's groups of tensors at once (docs/benchmarks/construction.md, "Changes of session 7").
    /// </summary>
    public static int[] SolveReadOrder(GfmmLayout layout, Func<int, bool> isStored)
    {
        if (isStored is null) throw new ArgumentNullException(nameof(isStored));
        var plan = Create(layout, PlanOperation.Solve, transposed: false, isStored);
        var placed = new bool[layout.TensorCount];
        var order = new List<int>();
        foreach (var step in plan.steps)
            if (step.Kind == PlanStepKind.Product && !placed[step.Tensor])
            {
                placed[step.Tensor] = true;
                order.Add(step.Tensor);
            }
        for (int t = 0; t < placed.Length; t++)
            if (!placed[t] && isStored(t)) order.Add(t);
        return order.ToArray();
    }

    private static ExecutionPlan CreateFull(GfmmLayout layout, PlanOperation operation, bool transposed)
    {
        if (layout is null) throw new ArgumentNullException(nameof(layout));
        if (operation != PlanOperation.Solve && operation != PlanOperation.Apply)
            throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown plan operation.");
        if (layout.Kind == GfmmKind.General)
        {
            if (operation == PlanOperation.Solve)
                throw new ArgumentException("A general GFMM block is not triangular: it has no structured solve.", nameof(operation));
            return new ExecutionPlan(layout, operation, transposed, ascending: true, new GeneralBuilder(layout, transposed).Build());
        }
        bool ascending = (layout.Kind == GfmmKind.Lower) != transposed;
        return new ExecutionPlan(layout, operation, transposed, ascending, new TriangularBuilder(layout, transposed, ascending).Build(operation == PlanOperation.Solve));
    }

    /// <summary>The most scratch slots any plan of a block with <paramref name="m"/> leaves needs (a workspace for
    /// every kind of block of that shape): a general block's product, <c>M + log2(M) + 1</c>.</summary>
    public static int MaxScratchSlots(int m)
    {
        var layout = new GfmmLayout(GfmmKind.General, m, 1);
        return Math.Max(GeneralBuilder.SlotCount(layout), TriangularBuilder.SlotCount(layout));
    }

    /// <summary>
    /// Drops the terms a block's absent (zero) tensors make vanish, in two sweeps over the steps. Forward: a product
    /// with an absent tensor, or from a scratch slot that can only hold zero (cleared and not written since), adds
    /// nothing. Backward: a product, clear or copy into a scratch slot that no remaining step reads before the slot is
    /// next cleared or overwritten is dead. Steps that write the caller's vectors always stay, so every output block is
    /// still written; with every tensor stored nothing is dropped (the builders already leave out what is known zero).
    /// </summary>
    private static List<PlanStep> WithoutZeroTerms(PlanStep[] steps, Func<int, bool> isStored)
    {
        int slots = 0;
        foreach (var step in steps)
        {
            if (step.Target.Kind == OperandKind.Scratch) slots = Math.Max(slots, step.Target.Index + 1);
            if (step.Source.Kind == OperandKind.Scratch) slots = Math.Max(slots, step.Source.Index + 1);
        }

        var zero = new bool[slots];
        for (int s = 0; s < slots; s++) zero[s] = true;
        var forward = new List<PlanStep>(steps.Length);
        foreach (var step in steps)
        {
            bool fromZeroSlot = step.Source.Kind == OperandKind.Scratch && zero[step.Source.Index];
            switch (step.Kind)
            {
                case PlanStepKind.Product when !isStored(step.Tensor) || fromZeroSlot:
                    continue;
                case PlanStepKind.Product:
                    if (step.Target.Kind == OperandKind.Scratch) zero[step.Target.Index] = false;
                    break;
                case PlanStepKind.Clear:
                    if (step.Target.Kind == OperandKind.Scratch) zero[step.Target.Index] = true;
                    break;
                case PlanStepKind.Copy:
                    if (step.Target.Kind == OperandKind.Scratch) zero[step.Target.Index] = fromZeroSlot;
                    break;
            }
            forward.Add(step);
        }

        var live = new bool[slots];
        var kept = new List<PlanStep>(forward.Count);
        for (int i = forward.Count - 1; i >= 0; i--)
        {
            var step = forward[i];
            bool intoScratch = step.Target.Kind == OperandKind.Scratch;
            if (intoScratch && !live[step.Target.Index] && step.Kind != PlanStepKind.DiagonalSolve) continue;
            // A clear or a copy overwrites its target: what it held before is not read by this step.
            if (intoScratch && (step.Kind == PlanStepKind.Clear || step.Kind == PlanStepKind.Copy)) live[step.Target.Index] = false;
            if (step.Source.Kind == OperandKind.Scratch && (step.Kind == PlanStepKind.Product || step.Kind == PlanStepKind.Copy)) live[step.Source.Index] = true;
            kept.Add(step);
        }
        kept.Reverse();
        return kept;
    }

    // The edges of the effective operator (the block, or its transpose run backwards through the graph).
    private static int Up(GfmmLayout layout, bool transposed, int level, int node) =>
        transposed ? layout.Decoder(level, node) : layout.Encoder(level, node);

    private static int Down(GfmmLayout layout, bool transposed, int level, int node) =>
        transposed ? layout.Encoder(level, node) : layout.Decoder(level, node);

    /// <summary>The bridge block carrying node <paramref name="from"/> into its neighbour <paramref name="node"/>:
    /// Lo_j carries j into j+1 and Up_j carries j+1 into j; transposed, each carries the other way.</summary>
    private static int BridgeInto(GfmmLayout layout, bool transposed, int level, int node, int from)
    {
        bool fromBefore = from < node;
        int index = fromBefore ? from : node;
        return fromBefore != transposed ? layout.LowerBridge(level, index) : layout.UpperBridge(level, index);
    }

    private sealed class TriangularBuilder
    {
        private readonly GfmmLayout layout;
        private readonly bool transposed;
        private readonly bool ascending;
        private readonly int levels;
        private readonly List<PlanStep> steps = new();

        public TriangularBuilder(GfmmLayout layout, bool transposed, bool ascending)
        {
            this.layout = layout;
            this.transposed = transposed;
            this.ascending = ascending;
            levels = layout.Levels;
        }

        public static int SlotCount(GfmmLayout layout) => 2 * layout.Levels;

        public List<PlanStep> Build(bool solve)
        {
            int m = layout.M;
            var decoderNonZero = new bool[levels + 1];
            for (int step = 0; step < m; step++)
            {
                int leaf = ascending ? step : m - 1 - step;
                AddDecoders(leaf, decoderNonZero);

                int previous = ascending ? leaf - 1 : leaf + 1;
                bool hasPrevious = previous >= 0 && previous < m;
                bool hasDown = levels >= 2 && decoderNonZero[1];
                PlanOperand leafValue;
                if (solve)
                {
                    var target = PlanOperand.Output(leaf);
                    if (hasPrevious) Product(BridgeInto(layout, transposed, 0, leaf, previous), PlanOperand.Output(previous), target, leaf, negative: true);
                    if (hasDown) Product(Down(layout, transposed, 0, leaf), Slot(DecoderSlot(1)), target, leaf, negative: true);
                    steps.Add(PlanStep.DiagonalSolve(leaf, target, transposed));
                    leafValue = target;
                }
                else
                {
                    var residual = Slot(ResidualSlot);
                    steps.Add(PlanStep.Clear(residual, leaf));
                    Product(layout.Diagonal(leaf), PlanOperand.Input(leaf), residual, leaf, negative: false);
                    if (hasPrevious) Product(BridgeInto(layout, transposed, 0, leaf, previous), Slot(PreviousSlot), residual, leaf, negative: false);
                    if (hasDown) Product(Down(layout, transposed, 0, leaf), Slot(DecoderSlot(1)), residual, leaf, negative: false);
                    leafValue = PlanOperand.Input(leaf);
                }

                AddPushes(leaf, leafValue);

                if (!solve)
                {
                    // The next leaf's bridge reads this input after the output (possibly the same vector) is written.
                    if (step < m - 1) steps.Add(PlanStep.Copy(PlanOperand.Input(leaf), Slot(PreviousSlot), leaf));
                    steps.Add(PlanStep.Copy(Slot(ResidualSlot), PlanOperand.Output(leaf), leaf));
                }
            }
            return steps;
        }

        private void AddDecoders(int leaf, bool[] decoderNonZero)
        {
            for (int level = levels - 1; level >= 1; level--)
            {
                int node = leaf >> level;
                if (leaf != FirstLeaf(level, node)) continue;
                int previous = ascending ? node - 1 : node + 1;
                bool hasBridge = previous >= 0 && previous < layout.NodeCount(level);
                bool hasDown = level + 1 <= levels - 1 && decoderNonZero[level + 1];
                decoderNonZero[level] = hasBridge || hasDown;
                if (!decoderNonZero[level]) continue;
                var target = Slot(DecoderSlot(level));
                steps.Add(PlanStep.ClearValue(target, leaf, level, node, decoder: true));
                if (hasBridge) Product(BridgeInto(layout, transposed, level, node, previous), Slot(EncoderSlot(level)), target, leaf, negative: false);
                if (hasDown) Product(Down(layout, transposed, level, node), Slot(DecoderSlot(level + 1)), target, leaf, negative: false);
            }
        }

        private void AddPushes(int leaf, PlanOperand leafValue)
        {
            for (int level = 0; level + 1 <= levels - 1; level++)
            {
                int node = leaf >> level;
                if (leaf != LastLeaf(level, node)) break;
                int parent = node >> 1;
                if (!IsEncoderSumRead(level + 1, parent)) break;
                var target = Slot(EncoderSlot(level + 1));
                bool firstChild = ascending ? node % 2 == 0 : node % 2 == 1;
                if (firstChild) steps.Add(PlanStep.ClearValue(target, leaf, level + 1, parent, decoder: false));
                Product(Up(layout, transposed, level, node), level == 0 ? leafValue : Slot(EncoderSlot(level)), target, leaf, negative: false);
            }
        }

        private void Product(int tensor, PlanOperand source, PlanOperand target, int leaf, bool negative) =>
            steps.Add(PlanStep.Product(tensor, source, target, negative, transposed, leaf));

        private int FirstLeaf(int level, int node) => ascending ? node << level : ((node + 1) << level) - 1;

        private int LastLeaf(int level, int node) => ascending ? ((node + 1) << level) - 1 : node << level;

        /// <summary>Only a node followed by another in the streaming order feeds a bridge; the last one feeds
        /// only the zero root.</summary>
        private bool IsEncoderSumRead(int level, int node) => ascending ? node < layout.NodeCount(level) - 1 : node > 0;

        private static PlanOperand Slot(int slot) => PlanOperand.Scratch(slot);

        private static int DecoderSlot(int level) => level + 1;

        private int EncoderSlot(int level) => levels + level;
    }

    private sealed class GeneralBuilder
    {
        private readonly GfmmLayout layout;
        private readonly bool transposed;
        private readonly int levels;
        private readonly List<PlanStep> steps = new();

        public GeneralBuilder(GfmmLayout layout, bool transposed)
        {
            this.layout = layout;
            this.transposed = transposed;
            levels = layout.Levels;
        }

        // Residual, previous input, the M − 1 encoder sums of levels 1 … Levels, one decoder value per level.
        public static int SlotCount(GfmmLayout layout) => 2 + (layout.M - 1) + layout.Levels;

        public List<PlanStep> Build()
        {
            for (int level = 0; level < levels; level++)
                for (int j = 0; j < layout.NodeCount(level + 1); j++)
                {
                    var target = EncoderSum(level + 1, j);
                    steps.Add(PlanStep.ClearValue(target, -1, level + 1, j, decoder: false));
                    Product(Up(layout, transposed, level, 2 * j), Sum(level, 2 * j), target, -1);
                    Product(Up(layout, transposed, level, 2 * j + 1), Sum(level, 2 * j + 1), target, -1);
                }
            steps.Add(PlanStep.ClearValue(Decoder(levels), -1, levels, 0, decoder: true));
            Product(layout.Root, EncoderSum(levels, 0), Decoder(levels), -1);

            int m = layout.M;
            for (int leaf = 0; leaf < m; leaf++)
            {
                for (int level = levels - 1; level >= 1; level--)
                {
                    int node = leaf >> level;
                    if (leaf != node << level) continue;
                    var target = Decoder(level);
                    steps.Add(PlanStep.ClearValue(target, leaf, level, node, decoder: true));
                    Product(Down(layout, transposed, level, node), Decoder(level + 1), target, leaf);
                    if (node > 0) Product(BridgeInto(layout, transposed, level, node, node - 1), EncoderSum(level, node - 1), target, leaf);
                    if (node + 1 < layout.NodeCount(level)) Product(BridgeInto(layout, transposed, level, node, node + 1), EncoderSum(level, node + 1), target, leaf);
                }
                var residual = PlanOperand.Scratch(ResidualSlot);
                steps.Add(PlanStep.Clear(residual, leaf));
                Product(layout.Diagonal(leaf), PlanOperand.Input(leaf), residual, leaf);
                Product(Down(layout, transposed, 0, leaf), Decoder(1), residual, leaf);
                if (leaf > 0) Product(BridgeInto(layout, transposed, 0, leaf, leaf - 1), PlanOperand.Scratch(PreviousSlot), residual, leaf);
                if (leaf + 1 < m) Product(BridgeInto(layout, transposed, 0, leaf, leaf + 1), PlanOperand.Input(leaf + 1), residual, leaf);
                if (leaf + 1 < m) steps.Add(PlanStep.Copy(PlanOperand.Input(leaf), PlanOperand.Scratch(PreviousSlot), leaf));
                steps.Add(PlanStep.Copy(residual, PlanOperand.Output(leaf), leaf));
            }
            return steps;
        }

        private void Product(int tensor, PlanOperand source, PlanOperand target, int leaf) =>
            steps.Add(PlanStep.Product(tensor, source, target, negative: false, transposed, leaf));

        private PlanOperand Sum(int level, int node) => level == 0 ? PlanOperand.Input(node) : EncoderSum(level, node);

        // Levels 1 … level-1 hold M/2 + … + M/2^(level-1) = M − M/2^(level-1) nodes.
        private PlanOperand EncoderSum(int level, int node) => PlanOperand.Scratch(2 + layout.M - (layout.M >> (level - 1)) + node);

        private PlanOperand Decoder(int level) => PlanOperand.Scratch(layout.M + level);
    }
}

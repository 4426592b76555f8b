using System.Globalization;
using GenLu.Structure;

namespace GenLu.Generator.Emit;

/// <summary>
/// Writes one triangular factor's product or solve as straight-line code for a fixed (M, P): the leaf order,
/// every edge, every constant offset and every known-zero term is decided here, at generation time.
/// <para>
/// The leaves are streamed in the factor's triangular order (ascending for L and Uᵀ, descending for U and Lᵀ,
/// spec: "The structured solve"). For the effective operator F (the block, or its transpose run backwards
/// through the graph, spec: "Transposed product") let <c>up(l, k)</c> be the edge that pushes node k of
/// level l into its parent (E, or Dᵀ), <c>down(l, k)</c> the edge from the parent's decoder value (D, or Eᵀ)
/// and <c>bridge(l, k)</c> the coupling from the neighbour visited just before k (Lo/Up, or their transposes).
/// Then, at each leaf i:
/// </para>
/// <list type="number">
/// <item>for every level l ≥ 1 whose node k = i >> l starts at i, the decoder value
/// <c>y[l] = bridge(l, k) s[l][prev] + down(l, k) y[l+1]</c> is formed once (terms known to be zero are left out);</item>
/// <item>the leaf: solve <c>z_i = G_i⁻¹ (b_i − bridge(0, i) z_prev − down(0, i) y[1])</c>, or multiply
/// <c>y_i = G_i x_i + bridge(0, i) x_prev + down(0, i) y[1]</c>;</item>
/// <item>the leaf value is pushed up through the encoder edges while nodes complete, skipping nodes whose
/// encoder sum is never read (the last node of a level feeds only the zero root).</item>
/// </list>
/// Scratch holds one P-vector per level for <c>y</c> and one for <c>s</c>, a residual and the previous leaf's
/// input: <c>2 · log2(M) · P</c> floats in all, per vector.
/// <para>Every schedule runs a panel of <c>count</c> vectors through the tree together (vector r's blocks N
/// floats after vector r−1's, its scratch ScratchLength floats after), so each edge is one kernel call for the
/// whole panel (see <see cref="PanelKernelEmitter"/>); one vector is the panel of one.</para>
/// </summary>
internal sealed class ScheduleEmitter
{
    private readonly GfmmLayout layout;
    private readonly string prefix;
    private readonly int tensorBase;
    private readonly int blockBase;
    private readonly bool transposed;
    private readonly bool ascending;
    private readonly int p;
    private readonly int levels;

    /// <param name="layout">The factor's layout (Lower for L, Upper for U).</param>
    /// <param name="prefix">"L." or "U.", for the tensor names written as comments.</param>
    /// <param name="tensorBase">Index of the factor's first tensor in the embedded weights.</param>
    /// <param name="blockBase">Index of the factor's first G_i among the embedded LU factors.</param>
    /// <param name="transposed">Emit Fᵀ instead of F.</param>
    public ScheduleEmitter(GfmmLayout layout, string prefix, int tensorBase, int blockBase, bool transposed)
    {
        this.layout = layout;
        this.prefix = prefix;
        this.tensorBase = tensorBase;
        this.blockBase = blockBase;
        this.transposed = transposed;
        ascending = (layout.Kind == GfmmKind.Lower) != transposed;
        p = layout.P;
        levels = layout.Levels;
    }

    /// <summary>Floats of scratch every schedule needs.</summary>
    public static int ScratchLength(int m, int p) => 2 * GfmmLayout.Log2(m) * p;

    public void Emit(CodeWriter writer, string methodName, bool solve)
    {
        // Solves run in place (x holds b on entry), so no block is copied; products read x and write y.
        const string input = "x";
        string output = solve ? "x" : "y";
        string factor = $"{prefix.TrimEnd('.')}{(transposed ? "ᵀ" : "")}", order = ascending ? "ascending" : "descending";
        if (solve)
        {
            writer.Line($"/// <summary>Solves {factor} leaf by leaf ({order}), in place: x holds the right-hand sides on entry.</summary>");
            writer.Open($"private static void {methodName}(global::System.Span<float> x, global::System.Span<float> work, int count)");
        }
        else
        {
            writer.Line($"/// <summary>Multiplies by {factor} leaf by leaf ({order}); x and y may be the same span.</summary>");
            writer.Open($"private static void {methodName}(global::System.ReadOnlySpan<float> x, global::System.Span<float> y, global::System.Span<float> work, int count)");
        }
        writer.Line("global::System.ReadOnlySpan<float> w = Weights;");
        if (solve)
        {
            writer.Line("global::System.ReadOnlySpan<float> factors = Factors;");
            writer.Line("global::System.ReadOnlySpan<float> inverseDiagonals = InverseDiagonals;");
            writer.Line("global::System.ReadOnlySpan<int> pivots = Pivots;");
        }

        int m = layout.M;
        var decoderNonZero = new bool[levels + 1];
        for (int step = 0; step < m; step++)
        {
            int leaf = ascending ? step : m - 1 - step;
            writer.Line($"// leaf {I(leaf)}");
            EmitDecoders(writer, leaf, decoderNonZero);

            int previous = ascending ? leaf - 1 : leaf + 1;
            bool hasPrevious = previous >= 0 && previous < m;
            bool hasDown = levels >= 2 && decoderNonZero[1];
            string leafValue;
            if (solve)
            {
                string target = Block(output, leaf);
                if (hasPrevious) Product(writer, Bridge(0, leaf, previous), Block(output, previous), target, "-1f");
                if (hasDown) Product(writer, Down(0, leaf), Slot(DecoderSlot(1)), target, "-1f");
                int block = blockBase + leaf;
                writer.Line($"{(transposed ? "LuSolveTransposed" : "LuSolve")}(factors.Slice({I(2 * block * p * p)}, 2 * TensorSize), inverseDiagonals.Slice({I(block * p)}, P), pivots.Slice({I(block * p)}, P), {target}, count); // G_{I(leaf)}");
                leafValue = target;
            }
            else
            {
                string residual = Slot(0);
                writer.Line($"ClearBlocks({residual}, count);");
                Product(writer, layout.Diagonal(leaf), Block(input, leaf), residual, "1f");
                if (hasPrevious) Product(writer, Bridge(0, leaf, previous), Slot(PreviousSlot), residual, "1f");
                if (hasDown) Product(writer, Down(0, leaf), Slot(DecoderSlot(1)), residual, "1f");
                leafValue = Block(input, leaf);
            }

            EmitPushes(writer, leaf, leafValue);

            if (!solve)
            {
                // The next leaf's bridge reads this input after the output (possibly the same span) is written.
                if (step < m - 1) writer.Line($"CopyBlocks({Block(input, leaf)}, {Slot(PreviousSlot)}, count);");
                writer.Line($"CopyBlocks({Slot(0)}, {Block(output, leaf)}, count);");
            }
        }
        writer.Close();
        writer.Line();
    }

    private void EmitDecoders(CodeWriter writer, int leaf, bool[] decoderNonZero)
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
            string target = Slot(DecoderSlot(level));
            writer.Line($"ClearBlocks({target}, count); // y[{I(level)}][{I(node)}]");
            if (hasBridge) Product(writer, Bridge(level, node, previous), Slot(EncoderSlot(level)), target, "1f");
            if (hasDown) Product(writer, Down(level, node), Slot(DecoderSlot(level + 1)), target, "1f");
        }
    }

    private void EmitPushes(CodeWriter writer, int leaf, string leafValue)
    {
        for (int level = 0; level + 1 <= levels - 1; level++)
        {
            int node = leaf >> level;
            if (leaf != LastLeaf(level, node)) break;
            int parent = node >> 1;
            if (!IsEncoderSumRead(level + 1, parent)) break;
            string target = Slot(EncoderSlot(level + 1));
            bool firstChild = ascending ? node % 2 == 0 : node % 2 == 1;
            if (firstChild) writer.Line($"ClearBlocks({target}, count); // s[{I(level + 1)}][{I(parent)}]");
            Product(writer, Up(level, node), level == 0 ? leafValue : Slot(EncoderSlot(level)), target, "1f");
        }
    }

    private void Product(CodeWriter writer, int tensor, string source, string target, string sign) =>
        writer.Line($"{(transposed ? "AddTransposedProduct" : "AddProduct")}(w.Slice({I((tensorBase + tensor) * p * p)}, TensorSize), {source}, {target}, count, {sign}); // {prefix}{layout.TensorName(tensor)}");

    private int Up(int level, int node) => transposed ? layout.Decoder(level, node) : layout.Encoder(level, node);

    private int Down(int level, int node) => transposed ? layout.Encoder(level, node) : layout.Decoder(level, node);

    /// <summary>The bridge block coupling <paramref name="previous"/> into <paramref name="node"/>: block index
    /// min(node, previous) in every case (Lo_{k-1} for L, Lo_k for Lᵀ, Up_k for U, Up_{k-1} for Uᵀ).</summary>
    private int Bridge(int level, int node, int previous)
    {
        int index = node < previous ? node : previous;
        return layout.Kind == GfmmKind.Lower ? layout.LowerBridge(level, index) : layout.UpperBridge(level, index);
    }

    private int FirstLeaf(int level, int node) => ascending ? node << level : ((node + 1) << level) - 1;

    private int LastLeaf(int level, int node) => ascending ? ((node + 1) << level) - 1 : node << level;

    /// <summary>Only a node followed by another in the streaming order feeds a bridge; the last one feeds
    /// only the zero root.</summary>
    private bool IsEncoderSumRead(int level, int node) => ascending ? node < layout.NodeCount(level) - 1 : node > 0;

    private const int PreviousSlot = 1;

    private static int DecoderSlot(int level) => level + 1;

    private int EncoderSlot(int level) => levels + level;

    /// <summary>A scratch slot as a panel operand: the span from its first vector's block, and the stride
    /// between vectors (each vector of a panel has its own ScratchLength floats of scratch).</summary>
    private string Slot(int slot) => $"work.Slice({I(slot * p)}), ScratchLength";

    /// <summary>Leaf block <paramref name="leaf"/> of a panel of caller vectors, N floats apart.</summary>
    private string Block(string vector, int leaf) => $"{vector}.Slice({I(leaf * p)}), N";

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

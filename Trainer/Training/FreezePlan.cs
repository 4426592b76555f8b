using GenLu.Structure;

namespace GenLu.Trainer.Training;

/// <summary>
/// Which weights block-wise training freezes, derived from the structure of the product L·U.
/// </summary>
/// <remarks>
/// <para>
/// L·U is a graph: U's inputs (leaves) → U's encoder, bridge and decoder edges → U's outputs = L's
/// inputs → L's edges → L's outputs. A weight influences an entry (row r, column c) of L·U exactly when
/// its edge lies on a path from input leaf block of c to output leaf block of r (the product is a sum
/// over such paths). The zero root is no edge, so the coarsest encoders and decoders lie on no path.
/// </para>
/// <para>
/// After block row m is fitted, the weights on any path into output blocks 0 … m (from any input) are
/// frozen: changing them would move rows 0 … (m+1)P-1 of L·U. With the transpose loss the model is also
/// fitted on U^T L^T e_i ≈ A^T e_i restricted to rows of block m, and row j of U^T L^T is column j of
/// L·U; so the weights on any path out of input blocks 0 … m (to any output) are frozen as well. That
/// second set is large (through L's bridges a leaf reaches every later leaf, and the decoders on the
/// way are frozen with it), which leaves later blocks fewer free weights.
/// </para>
/// </remarks>
internal static class FreezePlan
{
    /// <summary>
    /// For each factor (L, then U) and each tensor of its layout: true when it must stay frozen once
    /// block rows 0 … <paramref name="fittedBlocks"/>-1 are fitted.
    /// </summary>
    public static (bool[] Lower, bool[] Upper) Frozen(int m, int p, int fittedBlocks, bool transposeLoss)
    {
        if (fittedBlocks < 0 || fittedBlocks > m)
            throw new ArgumentOutOfRangeException(nameof(fittedBlocks), fittedBlocks, $"Must be in [0, {m}].");
        var graph = new ProductGraph(m, p);
        var lowerFrozen = new bool[graph.Lower.Layout.TensorCount];
        var upperFrozen = new bool[graph.Upper.Layout.TensorCount];
        if (fittedBlocks == 0) return (lowerFrozen, upperFrozen);

        var allLeaves = Enumerable.Range(0, m).ToArray();
        var fitted = Enumerable.Range(0, fittedBlocks).ToArray();
        graph.MarkPaths(graph.Upper.Inputs(allLeaves), graph.Lower.Outputs(fitted), lowerFrozen, upperFrozen);
        if (transposeLoss)
            graph.MarkPaths(graph.Upper.Inputs(fitted), graph.Lower.Outputs(allLeaves), lowerFrozen, upperFrozen);
        return (lowerFrozen, upperFrozen);
    }

    /// <summary>An edge of the graph carrying one P x P tensor of a factor.</summary>
    private readonly record struct Edge(int Factor, int Tensor, int From, int To);

    /// <summary>The node/edge graph of one factor, with node ids offset so two factors can share a graph.</summary>
    private sealed class FactorGraph
    {
        private readonly int firstNode;

        public FactorGraph(GfmmLayout layout, int factor, int firstNode, List<Edge> edges)
        {
            Layout = layout;
            this.firstNode = firstNode;
            int levels = layout.Levels;
            for (int level = 0; level < levels; level++)
            {
                int d = layout.NodeCount(level);
                for (int i = 0; i < d; i++)
                {
                    edges.Add(new Edge(factor, layout.Encoder(level, i), Up(level, i), Up(level + 1, i / 2)));
                    edges.Add(new Edge(factor, layout.Decoder(level, i), Down(level + 1, i / 2), Down(level, i)));
                }
                for (int k = 0; k + 1 < d; k++)
                {
                    edges.Add(layout.Kind == GfmmKind.Lower
                        ? new Edge(factor, layout.LowerBridge(level, k), Up(level, k), Down(level, k + 1))
                        : new Edge(factor, layout.UpperBridge(level, k), Up(level, k + 1), Down(level, k)));
                }
            }
            for (int i = 0; i < layout.M; i++)
                edges.Add(new Edge(factor, layout.Diagonal(i), Up(0, i), Down(0, i)));
            NodeCount = 2 * NodesUpTo(levels + 1);
        }

        public GfmmLayout Layout { get; }
        public int NodeCount { get; }

        public IEnumerable<int> Inputs(IEnumerable<int> leaves) => leaves.Select(i => Up(0, i));
        public IEnumerable<int> Outputs(IEnumerable<int> leaves) => leaves.Select(i => Down(0, i));

        // Encoder values s[l][k] for l = 0 … Levels (s[Levels] feeds only the zero root, so nothing),
        // then decoder values y[l][k] (y[Levels] receives only the zero root, so nothing).
        public int Up(int level, int node) => firstNode + NodesUpTo(level) + node;
        public int Down(int level, int node) => firstNode + NodesUpTo(Layout.Levels + 1) + NodesUpTo(level) + node;

        private int NodesUpTo(int level)
        {
            int count = 0;
            for (int l = 0; l < level; l++) count += Layout.M >> l;
            return count;
        }
    }

    /// <summary>U's graph followed by L's, U's output leaf i wired to L's input leaf i.</summary>
    private sealed class ProductGraph
    {
        private readonly List<Edge> edges = [];
        private readonly List<(int From, int To)> wires = [];
        private readonly int nodeCount;

        public ProductGraph(int m, int p)
        {
            Upper = new FactorGraph(new GfmmLayout(GfmmKind.Upper, m, p), 1, 0, edges);
            Lower = new FactorGraph(new GfmmLayout(GfmmKind.Lower, m, p), 0, Upper.NodeCount, edges);
            for (int i = 0; i < m; i++)
                wires.Add((Upper.Down(0, i), Lower.Up(0, i)));
            nodeCount = Upper.NodeCount + Lower.NodeCount;
        }

        public FactorGraph Lower { get; }
        public FactorGraph Upper { get; }

        /// <summary>Marks every tensor whose edge lies on a path from a source node to a sink node.</summary>
        public void MarkPaths(IEnumerable<int> sources, IEnumerable<int> sinks, bool[] lowerMarks, bool[] upperMarks)
        {
            var links = edges.Select(e => (e.From, e.To)).Concat(wires).ToList();
            bool[] reached = Reach(sources, links, forward: true);
            bool[] reaching = Reach(sinks, links, forward: false);
            foreach (var edge in edges)
                if (reached[edge.From] && reaching[edge.To])
                    (edge.Factor == 0 ? lowerMarks : upperMarks)[edge.Tensor] = true;
        }

        private bool[] Reach(IEnumerable<int> start, List<(int From, int To)> links, bool forward)
        {
            var seen = new bool[nodeCount];
            var pending = new Stack<int>();
            foreach (int node in start)
                if (!seen[node]) { seen[node] = true; pending.Push(node); }
            while (pending.Count > 0)
            {
                int node = pending.Pop();
                foreach (var (from, to) in links)
                {
                    var (source, target) = forward ? (from, to) : (to, from);
                    if (source == node && !seen[target]) { seen[target] = true; pending.Push(target); }
                }
            }
            return seen;
        }
    }
}

using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// The tree passes of the spec on node-major data (see <see cref="GfmmKernels"/>): the product
/// <c>y = F x</c> or <c>Fᵀ x</c>, and the leaf-by-leaf structured solve with a triangular block. A
/// transposed pass runs the same graph with the roles of the edges exchanged: decoders (transposed)
/// gather upwards, encoders (transposed) scatter downwards, and every bridge block is transposed.
/// </summary>
internal static class GfmmPasses
{
    /// <summary><c>y = F x</c> (or <c>Fᵀ x</c>) for <paramref name="count"/> node-major vectors; y must not overlap x.</summary>
    public static void Multiply<T>(GfmmLayout layout, ReadOnlySpan<T> weights, bool transpose,
        ReadOnlySpan<T> x, Span<T> y, int count, GfmmNodeBuffers<T> buffers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = layout.P;
        int panel = p * count;
        int levels = layout.Levels;
        bool hasRoot = layout.Root >= 0;

        // Upward: s[l+1][j] = up(l, 2j) s[l][2j] + up(l, 2j+1) s[l][2j+1]. The top level only feeds the root.
        int topLevel = hasRoot ? levels : levels - 1;
        for (int level = 0; level < topLevel; level++)
        {
            ReadOnlySpan<T> below = level == 0 ? x : buffers.EncoderLevel(level, count);
            Span<T> above = buffers.EncoderLevel(level + 1, count);
            for (int j = 0; j < layout.NodeCount(level + 1); j++)
            {
                Span<T> target = above.Slice(j * panel, panel);
                GfmmKernels.Multiply(Tensor(layout, weights, UpEdge(layout, transpose, level, 2 * j)), transpose, below.Slice(2 * j * panel, panel), target, p, count);
                GfmmKernels.MultiplyAdd(Tensor(layout, weights, UpEdge(layout, transpose, level, 2 * j + 1)), transpose, below.Slice((2 * j + 1) * panel, panel), target, p, count);
            }
        }

        if (hasRoot)
            GfmmKernels.Multiply(Tensor(layout, weights, layout.Root), transpose, buffers.EncoderLevel(levels, count), buffers.DecoderLevel(levels, count), p, count);

        // Downward: y[l][i] = down(l, i) y[l+1][i/2] + (B[l] s[l])_i; level 0 writes the output.
        for (int level = levels - 1; level >= 0; level--)
        {
            ReadOnlySpan<T> sums = level == 0 ? x : buffers.EncoderLevel(level, count);
            Span<T> values = level == 0 ? y : buffers.DecoderLevel(level, count);
            bool parentIsZero = level + 1 == levels && !hasRoot;
            for (int i = 0; i < layout.NodeCount(level); i++)
            {
                Span<T> target = values.Slice(i * panel, panel);
                if (parentIsZero)
                    target.Clear();
                else
                    GfmmKernels.Multiply(Tensor(layout, weights, DownEdge(layout, transpose, level, i)), transpose,
                        buffers.DecoderLevel(level + 1, count).Slice((i >> 1) * panel, panel), target, p, count);
                if (level == 0)
                    GfmmKernels.MultiplyAdd(Tensor(layout, weights, layout.Diagonal(i)), transpose, sums.Slice(i * panel, panel), target, p, count);
            }
            // Bridge block j couples nodes j and j+1: Lo_j carries j into j+1, Up_j carries j+1 into j;
            // transposed, each carries the other way.
            for (int j = 0; j + 1 < layout.NodeCount(level); j++)
            {
                if (layout.HasLowerBridges)
                {
                    int from = transpose ? j + 1 : j, to = transpose ? j : j + 1;
                    GfmmKernels.MultiplyAdd(Tensor(layout, weights, layout.LowerBridge(level, j)), transpose, sums.Slice(from * panel, panel), values.Slice(to * panel, panel), p, count);
                }
                if (layout.HasUpperBridges)
                {
                    int from = transpose ? j : j + 1, to = transpose ? j + 1 : j;
                    GfmmKernels.MultiplyAdd(Tensor(layout, weights, layout.UpperBridge(level, j)), transpose, sums.Slice(from * panel, panel), values.Slice(to * panel, panel), p, count);
                }
            }
        }
    }

    /// <summary>
    /// Solves <c>op(F) z = b</c> in place on the node-major panel <paramref name="z"/> (b on entry) for a
    /// triangular block (spec: "The structured solve"). <c>L</c> and <c>Uᵀ</c> are block-lower-triangular
    /// and run leaves first to last; <c>U</c> and <c>Lᵀ</c> run last to first. Every term reaching leaf i
    /// other than the diagonal one comes from already solved leaves, via encoder sums pushed up as leaves
    /// are solved and decoder values computed once, the first time a leaf under them is reached.
    /// </summary>
    public static void Solve(GfmmLayout layout, ReadOnlySpan<float> weights, ReadOnlySpan<float> diagonalFactors,
        ReadOnlySpan<float> diagonalFactorsTransposed, ReadOnlySpan<int> diagonalPivots, bool transpose,
        Span<float> z, int count, GfmmNodeBuffers<float> buffers)
    {
        int p = layout.P;
        int panel = p * count;
        int levels = layout.Levels;
        int m = layout.M;
        bool forward = (layout.Kind == GfmmKind.Lower) != transpose;
        // Encoder sums of levels 1 … Lv-1 accumulate from zero; level Lv would only feed the zero root.
        for (int level = 1; level < levels; level++) buffers.EncoderLevel(level, count).Clear();

        Span<float> gathered = buffers.LeafPanel(count);
        for (int step = 0; step < m; step++)
        {
            int leaf = forward ? step : m - 1 - step;

            // Decoder values of the nodes first entered at this leaf, coarse to fine (the root is zero).
            for (int level = levels - 1; level >= 1; level--)
            {
                int mask = (1 << level) - 1;
                if ((leaf & mask) != (forward ? 0 : mask)) continue;
                int node = leaf >> level;
                Span<float> value = buffers.DecoderLevel(level, count).Slice(node * panel, panel);
                value.Clear();
                if (level + 1 < levels)
                    GfmmKernels.MultiplyAdd(Tensor(layout, weights, DownEdge(layout, transpose, level, node)), transpose,
                        buffers.DecoderLevel(level + 1, count).Slice((node >> 1) * panel, panel), value, p, count);
                AddSolvedNeighbour(layout, weights, transpose, forward, level, node, buffers.EncoderLevel(level, count), value, count);
            }

            // z_i = op(G_i)^{-1} (b_i - neighbour bridge term - down(0, i) y[1][i/2]).
            gathered.Clear();
            AddSolvedNeighbour(layout, weights, transpose, forward, 0, leaf, z, gathered, count);
            if (levels > 1)
                GfmmKernels.MultiplyAdd(Tensor(layout, weights, DownEdge(layout, transpose, 0, leaf)), transpose,
                    buffers.DecoderLevel(1, count).Slice((leaf >> 1) * panel, panel), gathered, p, count);
            Span<float> zi = z.Slice(leaf * panel, panel);
            Subtract(gathered, zi);
            GfmmKernels.LuSolve(diagonalFactors.Slice(leaf * p * p, p * p), diagonalFactorsTransposed.Slice(leaf * p * p, p * p),
                diagonalPivots.Slice(leaf * p, p), transpose, zi, p, count);

            // Push completed nodes up: node k at level l is complete when its last-reached leaf is solved.
            for (int level = 0; level + 1 < levels; level++)
            {
                int mask = (1 << level) - 1;
                if ((leaf & mask) != (forward ? mask : 0)) break;
                int node = leaf >> level;
                ReadOnlySpan<float> sums = level == 0 ? z : buffers.EncoderLevel(level, count);
                GfmmKernels.MultiplyAdd(Tensor(layout, weights, UpEdge(layout, transpose, level, node)), transpose,
                    sums.Slice(node * panel, panel), buffers.EncoderLevel(level + 1, count).Slice((node >> 1) * panel, panel), p, count);
            }
        }
    }

    /// <summary>Adds the bridge term from the already solved neighbour of a node (the one before it in
    /// the sweep order), if it exists: <c>Lo_{k-1}</c>, <c>Up_k</c>, <c>Up_{k-1}ᵀ</c> or <c>Lo_kᵀ</c>.</summary>
    private static void AddSolvedNeighbour(GfmmLayout layout, ReadOnlySpan<float> weights, bool transpose, bool forward,
        int level, int node, ReadOnlySpan<float> sums, Span<float> target, int count)
    {
        int neighbour = forward ? node - 1 : node + 1;
        if (neighbour < 0 || neighbour >= layout.NodeCount(level)) return;
        int bridge = Math.Min(node, neighbour);
        int tensor = layout.Kind == GfmmKind.Lower ? layout.LowerBridge(level, bridge) : layout.UpperBridge(level, bridge);
        int panel = layout.P * count;
        GfmmKernels.MultiplyAdd(Tensor(layout, weights, tensor), transpose, sums.Slice(neighbour * panel, panel), target, layout.P, count);
    }

    private static void Subtract(ReadOnlySpan<float> amount, Span<float> target)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(target.Slice(i)) - new Vector<float>(amount.Slice(i))).CopyTo(target.Slice(i));
        for (; i < target.Length; i++) target[i] -= amount[i];
    }

    // Edges that gather towards the root: encoders, or transposed decoders in a transposed pass.
    private static int UpEdge(GfmmLayout layout, bool transpose, int level, int node) =>
        transpose ? layout.Decoder(level, node) : layout.Encoder(level, node);

    // Edges that scatter towards the leaves: decoders, or transposed encoders in a transposed pass.
    private static int DownEdge(GfmmLayout layout, bool transpose, int level, int node) =>
        transpose ? layout.Encoder(level, node) : layout.Decoder(level, node);

    private static ReadOnlySpan<T> Tensor<T>(GfmmLayout layout, ReadOnlySpan<T> weights, int tensor) =>
        weights.Slice(tensor * layout.TensorSize, layout.TensorSize);
}

using System.Numerics;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Exact;

/// <summary>
/// The coarse weights of a lower-kind block (all P x P, row-major, already rounded to the model's dtype): E, D per level
/// and node, bridges Lo per level ≥ 1 (node k couples into k + 1). Unset edges are null and mean zero, so a banded factor
/// (no far field) costs nothing beyond its near field, in the frame and in the block, which stores only the set tensors.
/// The near field — the diagonal blocks G_i and the level-0 bridges, half a gigabyte of doubles per factor at N = 2²⁰ — is
/// not held here: <see cref="ToBlock"/> computes each of those tensors as it writes it.
/// </summary>
internal sealed class LowerFrame : ILowerFrameWeights
{
    public LowerFrame(int m, int p)
    {
        P = p;
        int levels = GfmmLayout.Log2(m);
        Encoder = new double[levels][][];
        Decoder = new double[levels][][];
        Bridge = new double[levels][][];
        for (int level = 0; level < levels; level++)
        {
            int nodes = m >> level;
            Encoder[level] = new double[nodes][];
            Decoder[level] = new double[nodes][];
            Bridge[level] = new double[nodes - 1][];
        }
    }

    public int P { get; }

    double[]? ILowerFrameWeights.Decoder(int level, int node) => Decoder[level][node];

    double[]? ILowerFrameWeights.Encoder(int level, int node) => Encoder[level][node];

    double[]? ILowerFrameWeights.Bridge(int level, int node) => Bridge[level][node];

    public double[]?[][] Encoder { get; }

    public double[]?[][] Decoder { get; }

    /// <summary>Bridges of levels ≥ 1 (level 0's come from <see cref="ToBlock"/>'s neighbourBridge).</summary>
    public double[]?[][] Bridge { get; }

    /// <summary>
    /// Writes the block: as L directly; as U the transpose of this lower-frame Uᵀ (E_U = D'ᵀ, D_U = E'ᵀ, Up = Lo'ᵀ, G = G'ᵀ).
    /// Only the tensors set here are stored (an unset one is zero: the format's omitted tensors), plus every G_i
    /// (<paramref name="diagonal"/>) and level-0 bridge into leaf i ≥ 1 (<paramref name="neighbourBridge"/>), which are
    /// computed in parallel while the block is written, each rounded into the store and dropped.
    /// </summary>
    public GfmmBlock ToBlock(GfmmLayout layout, bool upper, GfmmDtype dtype, Func<int, double[]> diagonal, Func<int, double[]> neighbourBridge) =>
        dtype == GfmmDtype.Float64 ? ToBlock<double>(layout, upper, diagonal, neighbourBridge) : ToBlock<float>(layout, upper, diagonal, neighbourBridge);

    private GfmmBlock ToBlock<T>(GfmmLayout layout, bool upper, Func<int, double[]> diagonal, Func<int, double[]> neighbourBridge)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var producers = new List<(int Tensor, Func<double[]> Weights)>();
        void Add(int tensor, double[]? source)
        {
            if (source is not null) producers.Add((tensor, () => source));
        }

        for (int level = 0; level < layout.Levels; level++)
        {
            for (int c = 0; c < layout.NodeCount(level); c++)
            {
                Add(layout.Encoder(level, c), upper ? Decoder[level][c] : Encoder[level][c]);
                Add(layout.Decoder(level, c), upper ? Encoder[level][c] : Decoder[level][c]);
            }

            for (int k = 0; level > 0 && k < layout.NodeCount(level) - 1; k++)
            {
                Add(upper ? layout.UpperBridge(level, k) : layout.LowerBridge(level, k), Bridge[level][k]);
            }
        }

        for (int i = 0; i < layout.M; i++)
        {
            int leaf = i;
            producers.Add((layout.Diagonal(leaf), () => diagonal(leaf)));
            if (leaf > 0) producers.Add((upper ? layout.UpperBridge(0, leaf - 1) : layout.LowerBridge(0, leaf - 1), () => neighbourBridge(leaf)));
        }

        producers.Sort((x, y) => x.Tensor.CompareTo(y.Tensor));
        int size = layout.TensorSize;
        var values = new T[(long)producers.Count * size];
        Parallel.For(0, producers.Count, k => Write(values.AsSpan(k * size, size), producers[k].Weights(), upper));
        return GfmmBlock.Adopt(GfmmTensorStore<T>.Sparse(layout, producers.ConvertAll(x => x.Tensor), values));
    }

    private void Write<T>(Span<T> destination, double[] source, bool transpose)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < P; r++)
        {
            for (int c = 0; c < P; c++)
            {
                destination[(r * P) + c] = T.CreateChecked(transpose ? source[(c * P) + r] : source[(r * P) + c]);
            }
        }
    }
}

/// <summary>The rounded weights of a lower-kind factor as the level-0 neighbour correction reads them (null: zero).</summary>
internal interface ILowerFrameWeights
{
    int P { get; }

    double[]? Decoder(int level, int node);

    double[]? Encoder(int level, int node);

    double[]? Bridge(int level, int node);
}

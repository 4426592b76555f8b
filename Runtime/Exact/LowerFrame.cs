using System.Numerics;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Exact;

/// <summary>
/// The weights of a lower-kind block (all P x P, row-major, already rounded to the model's dtype): E, D per level and node,
/// bridges Lo per level (node k couples into k + 1), diagonal G. Unset edges are null and mean zero, so a banded
/// factor (no far field) costs nothing beyond its near field, in the frame and in the block, which stores only the set tensors.
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

        Diagonal = new double[m][];
    }

    public int P { get; }

    double[]? ILowerFrameWeights.Decoder(int level, int node) => Decoder[level][node];

    double[]? ILowerFrameWeights.Encoder(int level, int node) => Encoder[level][node];

    double[]? ILowerFrameWeights.Bridge(int level, int node) => Bridge[level][node];

    public double[]?[][] Encoder { get; }

    public double[]?[][] Decoder { get; }

    public double[]?[][] Bridge { get; }

    public double[]?[] Diagonal { get; }

    /// <summary>
    /// Writes the block: as L directly; as U the transpose of this lower-frame Uᵀ (E_U = D'ᵀ, D_U = E'ᵀ, Up = Lo'ᵀ, G = G'ᵀ).
    /// Only the tensors set here are stored (an unset one is zero: the format's omitted tensors).
    /// </summary>
    public GfmmBlock ToBlock(GfmmLayout layout, bool upper, GfmmDtype dtype) =>
        dtype == GfmmDtype.Float64 ? ToBlock<double>(layout, upper) : ToBlock<float>(layout, upper);

    private GfmmBlock ToBlock<T>(GfmmLayout layout, bool upper)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensors = new SortedDictionary<int, double[]>();
        void Add(int tensor, double[]? source)
        {
            if (source is not null) tensors.Add(tensor, source);
        }

        for (int level = 0; level < layout.Levels; level++)
        {
            for (int c = 0; c < layout.NodeCount(level); c++)
            {
                Add(layout.Encoder(level, c), upper ? Decoder[level][c] : Encoder[level][c]);
                Add(layout.Decoder(level, c), upper ? Encoder[level][c] : Decoder[level][c]);
            }

            for (int k = 0; k < layout.NodeCount(level) - 1; k++)
            {
                Add(upper ? layout.UpperBridge(level, k) : layout.LowerBridge(level, k), Bridge[level][k]);
            }
        }

        for (int i = 0; i < layout.M; i++)
        {
            Add(layout.Diagonal(i), Diagonal[i]);
        }

        int size = layout.TensorSize;
        var values = new T[(long)tensors.Count * size];
        int offset = 0;
        foreach (var source in tensors.Values)
        {
            Write<T>(values.AsSpan(offset, size), source, upper);
            offset += size;
        }

        return GfmmBlock.Adopt(GfmmTensorStore<T>.Sparse(layout, [.. tensors.Keys], values));
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

using System.Numerics;
using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Exact;

/// <summary>
/// The weights of a lower-kind block (all P x P, row-major, already rounded to the model's dtype): E, D per level and node,
/// bridges Lo per level (node k couples into k + 1), diagonal G. Unset edges are null and mean zero, so a banded
/// factor (no far field) costs nothing beyond its near field before it is written into the block.
/// </summary>
internal sealed class LowerFrame
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

    public double[]?[][] Encoder { get; }

    public double[]?[][] Decoder { get; }

    public double[]?[][] Bridge { get; }

    public double[]?[] Diagonal { get; }

    /// <summary>
    /// Writes the block: as L directly; as U the transpose of this lower-frame Uᵀ (E_U = D'ᵀ, D_U = E'ᵀ, Up = Lo'ᵀ, G = G'ᵀ).
    /// </summary>
    public GfmmBlock ToBlock(GfmmLayout layout, bool upper, GfmmDtype dtype) =>
        dtype == GfmmDtype.Float64 ? ToBlock<double>(layout, upper, dtype) : ToBlock<float>(layout, upper, dtype);

    private GfmmBlock ToBlock<T>(GfmmLayout layout, bool upper, GfmmDtype dtype)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var block = GfmmBlock.Zero(layout.Kind, layout.M, layout.P, dtype);
        for (int level = 0; level < layout.Levels; level++)
        {
            for (int c = 0; c < layout.NodeCount(level); c++)
            {
                Write(block.Tensor<T>(layout.Encoder(level, c)), upper ? Decoder[level][c] : Encoder[level][c], upper);
                Write(block.Tensor<T>(layout.Decoder(level, c)), upper ? Encoder[level][c] : Decoder[level][c], upper);
            }

            for (int k = 0; k < layout.NodeCount(level) - 1; k++)
            {
                Write(block.Tensor<T>(upper ? layout.UpperBridge(level, k) : layout.LowerBridge(level, k)), Bridge[level][k], upper);
            }
        }

        for (int i = 0; i < layout.M; i++)
        {
            Write(block.Tensor<T>(layout.Diagonal(i)), Diagonal[i], upper);
        }

        return block;
    }

    private void Write<T>(Span<T> destination, double[]? source, bool transpose)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (source is null)
        {
            return; // the block's weights start at zero
        }

        for (int r = 0; r < P; r++)
        {
            for (int c = 0; c < P; c++)
            {
                destination[(r * P) + c] = T.CreateChecked(transpose ? source[(c * P) + r] : source[(r * P) + c]);
            }
        }
    }
}

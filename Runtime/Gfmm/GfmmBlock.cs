using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// One GFMM block: a structured N x N matrix stored as <c>O(M P^2)</c> numbers (spec: "One GFMM block").
/// The weights are one flat array in <see cref="GfmmLayout"/> order; the block owns it.
/// </summary>
public sealed partial class GfmmBlock
{
    public GfmmBlock(GfmmLayout layout, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != layout.WeightCount)
            throw new ArgumentException($"A {layout} has {layout.WeightCount} weights, but {weights.Length} were given.", nameof(weights));
        Layout = layout;
        Weights = weights;
    }

    /// <summary>A block of the given shape with every weight zero.</summary>
    public static GfmmBlock Zero(GfmmKind kind, int m, int p)
    {
        var layout = new GfmmLayout(kind, m, p);
        return new GfmmBlock(layout, new float[layout.WeightCount]);
    }

    public GfmmLayout Layout { get; }

    /// <summary>All weights, tensor after tensor, each P x P row-major <c>W[out, in]</c>.</summary>
    public float[] Weights { get; }

    public GfmmKind Kind => Layout.Kind;
    public int M => Layout.M;
    public int P => Layout.P;
    public int N => Layout.N;

    /// <summary>The P x P weights of one tensor (see <see cref="GfmmLayout"/> for the indices).</summary>
    public Span<float> Tensor(int index)
    {
        if ((uint)index >= (uint)Layout.TensorCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Tensor index must be in [0, {Layout.TensorCount}).");
        return Weights.AsSpan(index * Layout.TensorSize, Layout.TensorSize);
    }

    /// <summary>A deep copy.</summary>
    public GfmmBlock Clone() => new(Layout, (float[])Weights.Clone());
}

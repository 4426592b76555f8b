using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// One GFMM block: a structured N x N matrix stored as <c>O(M P^2)</c> numbers (spec: "One GFMM block").
/// The weights are one flat array in <see cref="GfmmLayout"/> order that the block owns: it copies what it is
/// given, exposes it read-only (<see cref="Weights"/>), and lets a construction fill it tensor by tensor
/// (<see cref="Tensor"/>).
/// </summary>
public sealed partial class GfmmBlock
{
    private readonly float[] weights;

    /// <summary>A block of the given layout with a copy of <paramref name="weights"/> (<see cref="GfmmLayout.WeightCount"/> numbers).</summary>
    public GfmmBlock(GfmmLayout layout, ReadOnlySpan<float> weights)
        : this(layout, weights.ToArray(), weights.Length)
    {
    }

    private GfmmBlock(GfmmLayout layout, float[] owned, int length)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (length != layout.WeightCount)
            throw new ArgumentException($"A {layout} has {layout.WeightCount} weights, but {length} were given.", nameof(weights));
        Layout = layout;
        weights = owned;
    }

    /// <summary>A block that takes <paramref name="owned"/> as its storage, without a copy (the caller drops it).</summary>
    internal static GfmmBlock Adopt(GfmmLayout layout, float[] owned) => new(layout, owned, owned.Length);

    /// <summary>A block of the given shape with every weight zero.</summary>
    public static GfmmBlock Zero(GfmmKind kind, int m, int p)
    {
        var layout = new GfmmLayout(kind, m, p);
        return Adopt(layout, new float[layout.WeightCount]);
    }

    /// <summary>The block's shape and the order of its tensors.</summary>
    public GfmmLayout Layout { get; }

    /// <summary>All weights, tensor after tensor, each P x P row-major <c>W[out, in]</c>.</summary>
    public ReadOnlySpan<float> Weights => weights;

    /// <summary>The kind of block (lower or upper).</summary>
    public GfmmKind Kind => Layout.Kind;

    /// <summary>Number of leaf blocks.</summary>
    public int M => Layout.M;

    /// <summary>Leaf block size.</summary>
    public int P => Layout.P;

    /// <summary>Matrix order <c>N = M · P</c>.</summary>
    public int N => Layout.N;

    /// <summary>
    /// The P x P weights of one tensor (see <see cref="GfmmLayout"/> for the indices), writable so that a
    /// construction can fill the block in. A <see cref="GfmmSolver"/> copies the weights when it is built,
    /// so later changes do not reach an existing solver.
    /// </summary>
    public Span<float> Tensor(int index)
    {
        if ((uint)index >= (uint)Layout.TensorCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Tensor index must be in [0, {Layout.TensorCount}).");
        return weights.AsSpan(index * Layout.TensorSize, Layout.TensorSize);
    }

    /// <summary>A copy of all weights (see <see cref="Weights"/> for the order).</summary>
    public float[] ToArray() => (float[])weights.Clone();

    /// <summary>A deep copy.</summary>
    public GfmmBlock Clone() => Adopt(Layout, ToArray());
}

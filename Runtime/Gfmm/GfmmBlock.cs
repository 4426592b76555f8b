using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// One GFMM block: a structured N x N matrix stored as <c>O(M P^2)</c> numbers (spec: "One GFMM block").
/// The block owns its weights (it copies what it is given) and keeps only the tensors it stores: a block read
/// from a file, or made by <see cref="WithoutZeroTensors"/>, leaves out the tensors that are exactly zero (a banded
/// operator's exact factors keep only their level-0 bridge), and its products and solves skip them. A construction
/// fills a block in tensor by tensor (<see cref="Tensor"/>).
/// </summary>
public sealed partial class GfmmBlock
{
    private readonly GfmmTensorStore store;

    /// <summary>A block of the given layout with a copy of <paramref name="weights"/> (<see cref="GfmmLayout.WeightCount"/> numbers, every tensor stored).</summary>
    public GfmmBlock(GfmmLayout layout, ReadOnlySpan<float> weights)
        : this(GfmmTensorStore.Dense(layout ?? throw new ArgumentNullException(nameof(layout)), CheckedCopy(layout, weights)))
    {
    }

    private GfmmBlock(GfmmTensorStore store)
    {
        Layout = store.Layout;
        this.store = store;
    }

    private static float[] CheckedCopy(GfmmLayout layout, ReadOnlySpan<float> weights) =>
        weights.Length == layout.WeightCount
            ? weights.ToArray()
            : throw new ArgumentException($"A {layout} has {layout.WeightCount} weights, but {weights.Length} were given.", nameof(weights));

    /// <summary>A block that takes <paramref name="owned"/> (every tensor, layout order) as its storage, without a copy (the caller drops it).</summary>
    internal static GfmmBlock Adopt(GfmmLayout layout, float[] owned) => new(GfmmTensorStore.Dense(layout, owned));

    /// <summary>A block over a store the caller drops.</summary>
    internal static GfmmBlock Adopt(GfmmTensorStore store) => new(store);

    /// <summary>A block of the given shape with every weight zero and every tensor stored (to be filled in).</summary>
    public static GfmmBlock Zero(GfmmKind kind, int m, int p)
    {
        var layout = new GfmmLayout(kind, m, p);
        return Adopt(layout, new float[layout.WeightCount]);
    }

    /// <summary>The block's shape and the order of its tensors.</summary>
    public GfmmLayout Layout { get; }

    /// <summary>The weights as kept in memory (stored tensors only).</summary>
    internal GfmmTensorStore Store => store;

    /// <summary>The kind of block (lower or upper).</summary>
    public GfmmKind Kind => Layout.Kind;

    /// <summary>Number of leaf blocks.</summary>
    public int M => Layout.M;

    /// <summary>Leaf block size.</summary>
    public int P => Layout.P;

    /// <summary>The block's order <c>N = M · P</c> (a model's own order may be smaller: <see cref="GfmmModel.N"/>).</summary>
    public int N => Layout.N;

    /// <summary>Number of tensors the block stores (the others are zero).</summary>
    public int StoredTensorCount => store.StoredTensorCount;

    /// <summary>Number of weights the block stores: <see cref="StoredTensorCount"/> · P².</summary>
    public long StoredWeightCount => store.Values.LongLength;

    /// <summary>Whether the block stores tensor <paramref name="index"/>; one it does not store is exactly zero.</summary>
    public bool IsStored(int index) => store.IsStored(index);

    /// <summary>
    /// The P x P weights of one stored tensor (see <see cref="GfmmLayout"/> for the indices), writable so that a
    /// construction can fill the block in. A <see cref="GfmmSolver"/> copies the weights when it is built,
    /// so later changes do not reach an existing solver.
    /// </summary>
    /// <exception cref="InvalidOperationException">The block does not store the tensor (it is zero; see <see cref="IsStored"/>).</exception>
    public Span<float> Tensor(int index)
    {
        if ((uint)index >= (uint)Layout.TensorCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Tensor index must be in [0, {Layout.TensorCount}).");
        int offset = store.Offset(index);
        if (offset < 0)
            throw new InvalidOperationException($"Tensor {index} ({Layout.TensorName(index)}) is not stored: it is zero in this block.");
        return store.Values.AsSpan(offset, Layout.TensorSize);
    }

    /// <summary>All weights in layout order (tensor after tensor, each P x P row-major <c>W[out, in]</c>), zeros for
    /// the tensors that are not stored: a new array of <see cref="GfmmLayout.WeightCount"/> floats.</summary>
    public float[] ToArray() => store.ToDenseArray();

    /// <summary>A deep copy.</summary>
    public GfmmBlock Clone() => new(store.Clone());

    /// <summary>The same block without the tensors that are all zeros: smaller in memory and on disk, and its
    /// products and solves skip them. Returns this block when it stores no zero tensor.</summary>
    public GfmmBlock WithoutZeroTensors()
    {
        var compact = store.WithoutZeroTensors();
        return ReferenceEquals(compact, store) ? this : new GfmmBlock(compact);
    }
}

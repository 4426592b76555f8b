using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// One GFMM block: a structured N x N matrix stored as <c>O(M P^2)</c> numbers (spec: "One GFMM block"), float32 or
/// float64 (<see cref="Dtype"/>). The block owns its weights (it copies what it is given) and keeps only the tensors it
/// stores: a block read from a file, or made by <see cref="WithoutZeroTensors"/>, leaves out the tensors that are exactly
/// zero (a banded operator's exact factors keep only their level-0 bridge), and its products and solves skip them. A
/// construction fills a block in tensor by tensor (<see cref="Tensor"/>, or <see cref="Tensor{T}"/> for float64).
/// </summary>
public sealed partial class GfmmBlock
{
    // A GfmmTensorStore<float> or GfmmTensorStore<double>, as Dtype says: the weights and the products' number type.
    private readonly object store;

    /// <summary>A float32 block of the given layout with a copy of <paramref name="weights"/> (<see cref="GfmmLayout.WeightCount"/> numbers, every tensor stored).</summary>
    public GfmmBlock(GfmmLayout layout, ReadOnlySpan<float> weights)
        : this(GfmmTensorStore<float>.Dense(layout ?? throw new ArgumentNullException(nameof(layout)), CheckedCopy(layout, weights)))
    {
    }

    /// <summary>A float64 block of the given layout with a copy of <paramref name="weights"/> (<see cref="GfmmLayout.WeightCount"/> numbers, every tensor stored).</summary>
    public GfmmBlock(GfmmLayout layout, ReadOnlySpan<double> weights)
        : this(GfmmTensorStore<double>.Dense(layout ?? throw new ArgumentNullException(nameof(layout)), CheckedCopy(layout, weights)))
    {
    }

    private GfmmBlock(GfmmTensorStore<float> store) : this(store, store.Layout, GfmmDtype.Float32)
    {
    }

    private GfmmBlock(GfmmTensorStore<double> store) : this(store, store.Layout, GfmmDtype.Float64)
    {
    }

    private GfmmBlock(object store, GfmmLayout layout, GfmmDtype dtype)
    {
        this.store = store;
        Layout = layout;
        Dtype = dtype;
    }

    private static T[] CheckedCopy<T>(GfmmLayout layout, ReadOnlySpan<T> weights) =>
        weights.Length == layout.WeightCount
            ? weights.ToArray()
            : throw new ArgumentException($"A {layout} has {layout.WeightCount} weights, but {weights.Length} were given.", nameof(weights));

    /// <summary>A block over a store the caller drops.</summary>
    internal static GfmmBlock Adopt<T>(GfmmTensorStore<T> store)
        where T : struct, IEquatable<T> => store switch
        {
            GfmmTensorStore<float> single => new GfmmBlock(single),
            GfmmTensorStore<double> wide => new GfmmBlock(wide),
            _ => throw new NotSupportedException($"GFMM blocks hold float or double, not {typeof(T).Name}."),
        };

    /// <summary>A block of the given shape and number type with every weight zero and every tensor stored (to be filled in).</summary>
    public static GfmmBlock Zero(GfmmKind kind, int m, int p, GfmmDtype dtype = GfmmDtype.Float32)
    {
        var layout = new GfmmLayout(kind, m, p);
        return dtype switch
        {
            GfmmDtype.Float32 => new GfmmBlock(GfmmTensorStore<float>.Dense(layout, new float[layout.WeightCount])),
            GfmmDtype.Float64 => new GfmmBlock(GfmmTensorStore<double>.Dense(layout, new double[layout.WeightCount])),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "The dtype must be Float32 or Float64."),
        };
    }

    /// <summary>The block's shape and the order of its tensors.</summary>
    public GfmmLayout Layout { get; }

    /// <summary>The number type of the weights, products and solves: float32 (<see cref="float"/>) or float64 (<see cref="double"/>).</summary>
    public GfmmDtype Dtype { get; }

    /// <summary>The weights as kept in memory (stored tensors only), in the block's type <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">The block's dtype is not <typeparamref name="T"/>.</exception>
    internal GfmmTensorStore<T> Store<T>()
        where T : struct, IEquatable<T> =>
        store as GfmmTensorStore<T> ?? throw new InvalidOperationException(
            $"The block holds {GfmmDtypes.Name(Dtype)} weights, not {TensorScalar<T>.Instance.DtypeName} ones.");

    /// <summary>The kind of block (lower or upper).</summary>
    public GfmmKind Kind => Layout.Kind;

    /// <summary>Number of leaf blocks.</summary>
    public int M => Layout.M;

    /// <summary>Leaf block size.</summary>
    public int P => Layout.P;

    /// <summary>The block's order <c>N = M · P</c> (a model's own order may be smaller: <see cref="GfmmModel.N"/>).</summary>
    public int N => Layout.N;

    /// <summary>Number of tensors the block stores (the others are zero).</summary>
    public int StoredTensorCount => store is GfmmTensorStore<float> single ? single.StoredTensorCount : Wide.StoredTensorCount;

    /// <summary>Number of weights the block stores: <see cref="StoredTensorCount"/> · P².</summary>
    public long StoredWeightCount => (long)StoredTensorCount * Layout.TensorSize;

    /// <summary>Whether the block stores tensor <paramref name="index"/>; one it does not store is exactly zero.</summary>
    public bool IsStored(int index) => store is GfmmTensorStore<float> single ? single.IsStored(index) : Wide.IsStored(index);

    /// <summary>
    /// The P x P weights of one stored tensor of a float32 block (see <see cref="GfmmLayout"/> for the indices), writable so
    /// that a construction can fill the block in. A <see cref="GfmmSolver"/> copies the weights when it is built, so later
    /// changes do not reach an existing solver.
    /// </summary>
    /// <exception cref="InvalidOperationException">The block does not store the tensor (it is zero; see <see cref="IsStored"/>), or is float64 (use <see cref="Tensor{T}"/>).</exception>
    public Span<float> Tensor(int index) => Tensor<float>(index);

    /// <summary>
    /// <see cref="Tensor(int)"/> in the block's own number type: <c>Tensor&lt;double&gt;</c> for a float64 block,
    /// <c>Tensor&lt;float&gt;</c> for a float32 one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The block does not store the tensor, or <typeparamref name="T"/> is not its type.</exception>
    public Span<T> Tensor<T>(int index)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var typed = Store<T>();
        if ((uint)index >= (uint)Layout.TensorCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Tensor index must be in [0, {Layout.TensorCount}).");
        int offset = typed.Offset(index);
        if (offset < 0)
            throw new InvalidOperationException($"Tensor {index} ({Layout.TensorName(index)}) is not stored: it is zero in this block.");
        return typed.Values.AsSpan(offset, Layout.TensorSize);
    }

    /// <summary>All weights of a float32 block in layout order (tensor after tensor, each P x P row-major <c>W[out, in]</c>),
    /// zeros for the tensors that are not stored: a new array of <see cref="GfmmLayout.WeightCount"/> floats.</summary>
    /// <exception cref="InvalidOperationException">The block is float64 (use <see cref="ToArray{T}"/>).</exception>
    public float[] ToArray() => ToArray<float>();

    /// <summary><see cref="ToArray()"/> in the block's own number type <typeparamref name="T"/>.</summary>
    public T[] ToArray<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Store<T>().ToDenseArray();

    /// <summary>A deep copy.</summary>
    public GfmmBlock Clone() => Either(s => new GfmmBlock(s.Clone()), d => new GfmmBlock(d.Clone()));

    /// <summary>The same block without the tensors that are all zeros: smaller in memory and on disk, and its
    /// products and solves skip them. Returns this block when it stores no zero tensor.</summary>
    public GfmmBlock WithoutZeroTensors() => Either(s => Compact(s), d => Compact(d));

    /// <summary>A float64 copy of a float32 block (exact: every float is a double), or this block if it is float64.</summary>
    public GfmmBlock ToFloat64() => Either(s => new GfmmBlock(Widened(s)), _ => this);

    private static GfmmTensorStore<double> Widened(GfmmTensorStore<float> single)
    {
        var values = new double[single.Values.Length];
        for (int k = 0; k < values.Length; k++) values[k] = single.Values[k];
        var stored = new List<int>(single.StoredTensorCount);
        for (int t = 0; t < single.Layout.TensorCount; t++)
            if (single.IsStored(t)) stored.Add(t);
        return GfmmTensorStore<double>.Sparse(single.Layout, stored, values);
    }

    private GfmmBlock Compact<T>(GfmmTensorStore<T> typed)
        where T : struct, IEquatable<T>
    {
        var compact = typed.WithoutZeroTensors();
        return ReferenceEquals(compact, typed) ? this : Adopt(compact);
    }

    private GfmmTensorStore<double> Wide => (GfmmTensorStore<double>)store;

    /// <summary>The result of <paramref name="single"/> on a float32 block's store, of <paramref name="wide"/> on a float64 one's.</summary>
    private TResult Either<TResult>(Func<GfmmTensorStore<float>, TResult> single, Func<GfmmTensorStore<double>, TResult> wide) =>
        store is GfmmTensorStore<float> s ? single(s) : wide(Wide);
}

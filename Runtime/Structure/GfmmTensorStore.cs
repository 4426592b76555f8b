// Shared source: compiled into GenLu.Runtime (net10.0) and GenLu.Generator (netstandard2.0).
using System;
using System.Collections.Generic;

namespace GenLu.Structure;

/// <summary>
/// The weights of one GFMM block as they are kept in memory: the stored tensors one after another (P² numbers
/// of type <typeparamref name="T"/>, float or double, each, row-major <c>W[out, in]</c>) and where each tensor of the layout starts, or that it is not stored —
/// a tensor that is not stored is exactly zero. A banded operator's exact factors are zero outside the level-0
/// bridge, so their store holds only the diagonal blocks and neighbour couplings (issue 12), and every plan made
/// with <see cref="IsStored"/> skips the products of the others. Dense stores (every tensor present, the trainer's
/// and the constructions' working form) need no offset table.
/// </summary>
internal sealed class GfmmTensorStore<T>
    where T : struct, IEquatable<T>
{
    private const int Absent = -1;

    // Null for a dense store: tensor t then starts at t · P².
    private readonly int[]? offsets;

    private GfmmTensorStore(GfmmLayout layout, T[] values, int[]? offsets, int storedCount)
    {
        Layout = layout;
        Values = values;
        this.offsets = offsets;
        StoredTensorCount = storedCount;
    }

    public GfmmLayout Layout { get; }

    /// <summary>The number type of the weights.</summary>
    public GfmmDtype Dtype => TensorScalar<T>.Instance.Dtype;

    /// <summary>The stored tensors' weights, <see cref="StoredTensorCount"/> · P² numbers.</summary>
    public T[] Values { get; }

    public int StoredTensorCount { get; }

    /// <summary>Every tensor of the layout is stored (no offset table).</summary>
    public bool IsDense => offsets is null;

    /// <summary>A store that holds every tensor, adopting <paramref name="values"/> (<see cref="GfmmLayout.WeightCount"/> numbers).</summary>
    public static GfmmTensorStore<T> Dense(GfmmLayout layout, T[] values)
    {
        if (layout is null) throw new ArgumentNullException(nameof(layout));
        if (values is null) throw new ArgumentNullException(nameof(values));
        if (values.Length != layout.WeightCount)
            throw new ArgumentException($"A {layout} has {layout.WeightCount} weights, but {values.Length} were given.", nameof(values));
        return new GfmmTensorStore<T>(layout, values, null, layout.TensorCount);
    }

    /// <summary>
    /// A store of the tensors listed in <paramref name="stored"/> (ascending tensor indices, no repeats), whose
    /// weights are <paramref name="values"/> in that order; every other tensor is zero.
    /// </summary>
    public static GfmmTensorStore<T> Sparse(GfmmLayout layout, IReadOnlyList<int> stored, T[] values)
    {
        if (layout is null) throw new ArgumentNullException(nameof(layout));
        if (stored is null) throw new ArgumentNullException(nameof(stored));
        if (values is null) throw new ArgumentNullException(nameof(values));
        if ((long)stored.Count * layout.TensorSize != values.Length)
            throw new ArgumentException($"{stored.Count} stored tensors of {layout.TensorSize} weights need {(long)stored.Count * layout.TensorSize} values, but {values.Length} were given.", nameof(values));
        var offsets = new int[layout.TensorCount];
        for (int t = 0; t < offsets.Length; t++) offsets[t] = Absent;
        for (int k = 0; k < stored.Count; k++)
        {
            int tensor = stored[k];
            if ((uint)tensor >= (uint)layout.TensorCount || (k > 0 && tensor <= stored[k - 1]))
                throw new ArgumentException($"Stored tensor indices must be ascending and in [0, {layout.TensorCount}); entry {k} is {tensor}.", nameof(stored));
            offsets[tensor] = k * layout.TensorSize;
        }
        return stored.Count == layout.TensorCount
            ? new GfmmTensorStore<T>(layout, values, null, stored.Count)
            : new GfmmTensorStore<T>(layout, values, offsets, stored.Count);
    }

    /// <summary>Whether tensor <paramref name="tensor"/> is stored (a tensor that is not is exactly zero).</summary>
    public bool IsStored(int tensor) => offsets is null ? CheckTensor(tensor) >= 0 : offsets[CheckTensor(tensor)] != Absent;

    /// <summary>Index in <see cref="Values"/> of the tensor's first weight, or -1 when it is not stored.</summary>
    public int Offset(int tensor) => offsets is null ? CheckTensor(tensor) * Layout.TensorSize : offsets[CheckTensor(tensor)];

    /// <summary>The same weights without the stored tensors that are all zeros (+0 or -0): what files keep and what
    /// plans skip. Returns this store when no stored tensor is zero.</summary>
    public GfmmTensorStore<T> WithoutZeroTensors()
    {
        int size = Layout.TensorSize;
        var kept = new List<int>();
        for (int t = 0; t < Layout.TensorCount; t++)
            if (IsNonZero(t)) kept.Add(t);
        if (kept.Count == StoredTensorCount) return this;
        var values = new T[(long)kept.Count * size];
        for (int k = 0; k < kept.Count; k++) Array.Copy(Values, Offset(kept[k]), values, k * size, size);
        return Sparse(Layout, kept, values);
    }

    /// <summary>All weights in layout order, zeros for the tensors that are not stored (O(weight count) memory).</summary>
    public T[] ToDenseArray()
    {
        if (offsets is null) return (T[])Values.Clone();
        var dense = new T[Layout.WeightCount];
        int size = Layout.TensorSize;
        for (int t = 0; t < Layout.TensorCount; t++)
            if (offsets[t] != Absent) Array.Copy(Values, offsets[t], dense, t * size, size);
        return dense;
    }

    /// <summary>Whether tensor <paramref name="tensor"/> is stored and not all zeros (+0 or -0).</summary>
    public bool IsNonZero(int tensor)
    {
        int offset = Offset(tensor);
        return offset != Absent && !IsZero(Values, offset, Layout.TensorSize);
    }

    /// <summary>A deep copy.</summary>
    public GfmmTensorStore<T> Clone() => new(Layout, (T[])Values.Clone(), offsets is null ? null : (int[])offsets.Clone(), StoredTensorCount);

    private static bool IsZero(T[] values, int offset, int count)
    {
        for (int i = offset; i < offset + count; i++)
            if (!values[i].Equals(default)) return false; // +0 and -0 are both zero
        return true;
    }

    private int CheckTensor(int tensor) =>
        (uint)tensor < (uint)Layout.TensorCount ? tensor : throw new ArgumentOutOfRangeException(nameof(tensor), tensor, $"Tensor index must be in [0, {Layout.TensorCount}).");
}

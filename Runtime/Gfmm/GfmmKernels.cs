using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenLu;

/// <summary>
/// The P x P kernels of the GFMM passes. Node data is "node-major": one node holds a P x count
/// row-major panel (row k = component k of all count vectors), so a batch is a mat-mat product whose
/// inner loop runs over the contiguous count dimension; with count = 1 a panel is an ordinary vector
/// and the kernels switch to dot-product / axpy forms that vectorize over P instead.
/// Callers validate sizes once; these loops do not bounds-check.
/// </summary>
internal static class GfmmKernels
{
    /// <summary><c>y += op(W) x</c> with <c>op(W) = W</c> or <c>W^T</c>; x and y are P x count panels.</summary>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> w, bool transpose, ReadOnlySpan<T> x, Span<T> y, int p, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T wRef = ref MemoryMarshal.GetReference(w);
        ref T xRef = ref MemoryMarshal.GetReference(x);
        ref T yRef = ref MemoryMarshal.GetReference(y);
        if (count == 1)
        {
            if (transpose)
                for (int o = 0; o < p; o++) Axpy(Unsafe.Add(ref xRef, o), ref Unsafe.Add(ref wRef, o * p), ref yRef, p);
            else
                for (int o = 0; o < p; o++) Unsafe.Add(ref yRef, o) += Dot(ref Unsafe.Add(ref wRef, o * p), ref xRef, p);
            return;
        }
        // Coefficient (out, in) of op(W) sits at out * outStride + in * inStride.
        int outStride = transpose ? 1 : p;
        int inStride = transpose ? p : 1;
        PanelMultiplyAdd(ref wRef, outStride, inStride, ref xRef, ref yRef, p, count);
    }

    /// <summary><c>y = op(W) x</c> (overwrites y).</summary>
    public static void Multiply<T>(ReadOnlySpan<T> w, bool transpose, ReadOnlySpan<T> x, Span<T> y, int p, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        y.Clear();
        MultiplyAdd(w, transpose, x, y, p, count);
    }

    /// <summary>
    /// Solves <c>op(G) z = r</c> in place on the P x count panel <paramref name="z"/>, from the SmallLu
    /// factors of G (unit L below the diagonal, U on and above, row swaps <paramref name="pivots"/>):
    /// <c>G = Pᵀ L U</c>, so <c>G z = r</c> is swaps, then L, then U; <c>Gᵀ z = r</c> is Uᵀ, then Lᵀ,
    /// then the swaps undone in reverse order.
    /// </summary>
    public static void LuSolve(ReadOnlySpan<float> lu, ReadOnlySpan<int> pivots, bool transpose, Span<float> z, int p, int count)
    {
        ref float a = ref MemoryMarshal.GetReference(lu);
        ref float zRef = ref MemoryMarshal.GetReference(z);
        if (!transpose)
        {
            for (int k = 0; k < p; k++) SwapRows(ref zRef, k, pivots[k], count);
            if (count == 1)
            {
                // Dot-product (row) form: each row of L and U is contiguous.
                for (int r = 1; r < p; r++) Unsafe.Add(ref zRef, r) -= Dot(ref Unsafe.Add(ref a, r * p), ref zRef, r);
                for (int r = p - 1; r >= 0; r--)
                {
                    float tail = Dot(ref Unsafe.Add(ref a, r * p + r + 1), ref Unsafe.Add(ref zRef, r + 1), p - r - 1);
                    Unsafe.Add(ref zRef, r) = (Unsafe.Add(ref zRef, r) - tail) / Unsafe.Add(ref a, r * p + r);
                }
                return;
            }
            for (int k = 0; k < p; k++)
                for (int r = k + 1; r < p; r++)
                    Axpy(-Unsafe.Add(ref a, r * p + k), ref Unsafe.Add(ref zRef, k * count), ref Unsafe.Add(ref zRef, r * count), count);
            for (int k = p - 1; k >= 0; k--)
            {
                Scale(1f / Unsafe.Add(ref a, k * p + k), ref Unsafe.Add(ref zRef, k * count), count);
                for (int r = 0; r < k; r++)
                    Axpy(-Unsafe.Add(ref a, r * p + k), ref Unsafe.Add(ref zRef, k * count), ref Unsafe.Add(ref zRef, r * count), count);
            }
            return;
        }

        if (count == 1)
        {
            // Uᵀ w = r forward and Lᵀ v = w backward, in axpy form along the contiguous rows of U and L.
            for (int k = 0; k < p; k++)
            {
                float value = Unsafe.Add(ref zRef, k) / Unsafe.Add(ref a, k * p + k);
                Unsafe.Add(ref zRef, k) = value;
                Axpy(-value, ref Unsafe.Add(ref a, k * p + k + 1), ref Unsafe.Add(ref zRef, k + 1), p - k - 1);
            }
            for (int k = p - 1; k > 0; k--)
                Axpy(-Unsafe.Add(ref zRef, k), ref Unsafe.Add(ref a, k * p), ref zRef, k);
        }
        else
        {
            for (int k = 0; k < p; k++)
            {
                Scale(1f / Unsafe.Add(ref a, k * p + k), ref Unsafe.Add(ref zRef, k * count), count);
                for (int j = k + 1; j < p; j++)
                    Axpy(-Unsafe.Add(ref a, k * p + j), ref Unsafe.Add(ref zRef, k * count), ref Unsafe.Add(ref zRef, j * count), count);
            }
            for (int k = p - 1; k > 0; k--)
                for (int j = 0; j < k; j++)
                    Axpy(-Unsafe.Add(ref a, k * p + j), ref Unsafe.Add(ref zRef, k * count), ref Unsafe.Add(ref zRef, j * count), count);
        }
        for (int k = p - 1; k >= 0; k--) SwapRows(ref zRef, k, pivots[k], count);
    }

    /// <summary>Batch layout ([count, n], vector after vector) to node-major ([n, count]).</summary>
    public static void ToNodeMajor<T>(ReadOnlySpan<T> batch, Span<T> nodeMajor, int n, int count)
    {
        for (int v = 0; v < count; v++)
        {
            ReadOnlySpan<T> vector = batch.Slice(v * n, n);
            for (int i = 0; i < vector.Length; i++) nodeMajor[i * count + v] = vector[i];
        }
    }

    /// <summary>Node-major ([n, count]) back to batch layout, multiplying every value by <paramref name="factor"/>.</summary>
    public static void FromNodeMajor<T>(ReadOnlySpan<T> nodeMajor, Span<T> batch, int n, int count, T factor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int v = 0; v < count; v++)
        {
            Span<T> vector = batch.Slice(v * n, n);
            for (int i = 0; i < vector.Length; i++) vector[i] = nodeMajor[i * count + v] * factor;
        }
    }

    /// <summary>Multiplies every entry by <paramref name="factor"/> (skipped when it is 1).</summary>
    public static void Scale<T>(Span<T> values, T factor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (factor == T.One) return;
        Scale(factor, ref MemoryMarshal.GetReference(values), values.Length);
    }

    // Four output rows at a time share every load of an input row; the inner loop runs over the count
    // dimension with full vectors, then a scalar tail.
    private static void PanelMultiplyAdd<T>(ref T w, int outStride, int inStride, ref T x, ref T y, int p, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int vectorEnd = Vector.IsHardwareAccelerated ? count - count % width : 0;
        int o = 0;
        for (; o + 4 <= p; o += 4)
        {
            ref T w0 = ref Unsafe.Add(ref w, o * outStride);
            ref T w1 = ref Unsafe.Add(ref w0, outStride);
            ref T w2 = ref Unsafe.Add(ref w1, outStride);
            ref T w3 = ref Unsafe.Add(ref w2, outStride);
            ref T y0 = ref Unsafe.Add(ref y, o * count);
            ref T y1 = ref Unsafe.Add(ref y0, count);
            ref T y2 = ref Unsafe.Add(ref y1, count);
            ref T y3 = ref Unsafe.Add(ref y2, count);
            for (int j = 0; j < vectorEnd; j += width)
            {
                var a0 = Vector.LoadUnsafe(ref y0, (nuint)j);
                var a1 = Vector.LoadUnsafe(ref y1, (nuint)j);
                var a2 = Vector.LoadUnsafe(ref y2, (nuint)j);
                var a3 = Vector.LoadUnsafe(ref y3, (nuint)j);
                for (int k = 0; k < p; k++)
                {
                    var xv = Vector.LoadUnsafe(ref x, (nuint)(k * count + j));
                    int at = k * inStride;
                    a0 = MulAdd(new Vector<T>(Unsafe.Add(ref w0, at)), xv, a0);
                    a1 = MulAdd(new Vector<T>(Unsafe.Add(ref w1, at)), xv, a1);
                    a2 = MulAdd(new Vector<T>(Unsafe.Add(ref w2, at)), xv, a2);
                    a3 = MulAdd(new Vector<T>(Unsafe.Add(ref w3, at)), xv, a3);
                }
                a0.StoreUnsafe(ref y0, (nuint)j);
                a1.StoreUnsafe(ref y1, (nuint)j);
                a2.StoreUnsafe(ref y2, (nuint)j);
                a3.StoreUnsafe(ref y3, (nuint)j);
            }
            for (int j = vectorEnd; j < count; j++)
                for (int k = 0; k < p; k++)
                {
                    T xk = Unsafe.Add(ref x, k * count + j);
                    int at = k * inStride;
                    Unsafe.Add(ref y0, j) += Unsafe.Add(ref w0, at) * xk;
                    Unsafe.Add(ref y1, j) += Unsafe.Add(ref w1, at) * xk;
                    Unsafe.Add(ref y2, j) += Unsafe.Add(ref w2, at) * xk;
                    Unsafe.Add(ref y3, j) += Unsafe.Add(ref w3, at) * xk;
                }
        }
        for (; o < p; o++)
            for (int k = 0; k < p; k++)
                Axpy(Unsafe.Add(ref w, o * outStride + k * inStride), ref Unsafe.Add(ref x, k * count), ref Unsafe.Add(ref y, o * count), count);
    }

    private static T Dot<T>(ref T a, ref T b, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T sum = T.Zero;
        if (Vector.IsHardwareAccelerated && length >= Vector<T>.Count)
        {
            var acc = Vector<T>.Zero;
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                acc = MulAdd(Vector.LoadUnsafe(ref a, (nuint)i), Vector.LoadUnsafe(ref b, (nuint)i), acc);
            sum = Vector.Sum(acc);
        }
        for (; i < length; i++) sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return sum;
    }

    /// <summary><c>y += alpha x</c> over <paramref name="length"/> contiguous entries.</summary>
    private static void Axpy<T>(T alpha, ref T x, ref T y, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<T>.Count)
        {
            var a = new Vector<T>(alpha);
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                MulAdd(a, Vector.LoadUnsafe(ref x, (nuint)i), Vector.LoadUnsafe(ref y, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < length; i++) Unsafe.Add(ref y, i) += alpha * Unsafe.Add(ref x, i);
    }

    private static void Scale<T>(T factor, ref T values, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<T>.Count)
        {
            var f = new Vector<T>(factor);
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
                (Vector.LoadUnsafe(ref values, (nuint)i) * f).StoreUnsafe(ref values, (nuint)i);
        }
        for (; i < length; i++) Unsafe.Add(ref values, i) *= factor;
    }

    private static void SwapRows(ref float z, int row, int other, int count)
    {
        if (row == other) return;
        ref float a = ref Unsafe.Add(ref z, row * count);
        ref float b = ref Unsafe.Add(ref z, other * count);
        for (int i = 0; i < count; i++) (Unsafe.Add(ref a, i), Unsafe.Add(ref b, i)) = (Unsafe.Add(ref b, i), Unsafe.Add(ref a, i));
    }

    /// <summary><c>a * b + c</c>, fused where the hardware has FMA (the JIT removes the untaken branches).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> MulAdd<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return (Vector<T>)(object)Vector.FusedMultiplyAdd((Vector<float>)(object)a, (Vector<float>)(object)b, (Vector<float>)(object)c);
        if (typeof(T) == typeof(double))
            return (Vector<T>)(object)Vector.FusedMultiplyAdd((Vector<double>)(object)a, (Vector<double>)(object)b, (Vector<double>)(object)c);
        return a * b + c;
    }
}

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
                RowsDotAdd(ref wRef, ref xRef, ref yRef, p);
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
            int j = 0;
            for (; j + 2 * width <= vectorEnd; j += 2 * width)
            {
                // 4 rows x 2 vectors: eight independent accumulators hide the FMA latency.
                nuint at0 = (nuint)j, at1 = (nuint)(j + width);
                var a0 = Vector.LoadUnsafe(ref y0, at0);
                var a1 = Vector.LoadUnsafe(ref y1, at0);
                var a2 = Vector.LoadUnsafe(ref y2, at0);
                var a3 = Vector.LoadUnsafe(ref y3, at0);
                var b0 = Vector.LoadUnsafe(ref y0, at1);
                var b1 = Vector.LoadUnsafe(ref y1, at1);
                var b2 = Vector.LoadUnsafe(ref y2, at1);
                var b3 = Vector.LoadUnsafe(ref y3, at1);
                for (int k = 0; k < p; k++)
                {
                    ref T xRow = ref Unsafe.Add(ref x, k * count);
                    var xa = Vector.LoadUnsafe(ref xRow, at0);
                    var xb = Vector.LoadUnsafe(ref xRow, at1);
                    int at = k * inStride;
                    var c0 = new Vector<T>(Unsafe.Add(ref w0, at));
                    var c1 = new Vector<T>(Unsafe.Add(ref w1, at));
                    var c2 = new Vector<T>(Unsafe.Add(ref w2, at));
                    var c3 = new Vector<T>(Unsafe.Add(ref w3, at));
                    a0 = MulAdd(c0, xa, a0);
                    b0 = MulAdd(c0, xb, b0);
                    a1 = MulAdd(c1, xa, a1);
                    b1 = MulAdd(c1, xb, b1);
                    a2 = MulAdd(c2, xa, a2);
                    b2 = MulAdd(c2, xb, b2);
                    a3 = MulAdd(c3, xa, a3);
                    b3 = MulAdd(c3, xb, b3);
                }
                a0.StoreUnsafe(ref y0, at0);
                a1.StoreUnsafe(ref y1, at0);
                a2.StoreUnsafe(ref y2, at0);
                a3.StoreUnsafe(ref y3, at0);
                b0.StoreUnsafe(ref y0, at1);
                b1.StoreUnsafe(ref y1, at1);
                b2.StoreUnsafe(ref y2, at1);
                b3.StoreUnsafe(ref y3, at1);
            }
            for (; j < vectorEnd; j += width)
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
            for (j = vectorEnd; j < count; j++)
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

    // y[o] += W[o, :] · x, four rows at a time so that every load of x feeds four accumulators.
    private static void RowsDotAdd<T>(ref T w, ref T x, ref T y, int p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int vectorEnd = Vector.IsHardwareAccelerated ? p - p % width : 0;
        int o = 0;
        for (; o + 4 <= p; o += 4)
        {
            ref T w0 = ref Unsafe.Add(ref w, o * p);
            ref T w1 = ref Unsafe.Add(ref w0, p);
            ref T w2 = ref Unsafe.Add(ref w1, p);
            ref T w3 = ref Unsafe.Add(ref w2, p);
            Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
            for (int k = 0; k < vectorEnd; k += width)
            {
                var xv = Vector.LoadUnsafe(ref x, (nuint)k);
                a0 = MulAdd(Vector.LoadUnsafe(ref w0, (nuint)k), xv, a0);
                a1 = MulAdd(Vector.LoadUnsafe(ref w1, (nuint)k), xv, a1);
                a2 = MulAdd(Vector.LoadUnsafe(ref w2, (nuint)k), xv, a2);
                a3 = MulAdd(Vector.LoadUnsafe(ref w3, (nuint)k), xv, a3);
            }
            T s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
            for (int k = vectorEnd; k < p; k++)
            {
                T xk = Unsafe.Add(ref x, k);
                s0 += Unsafe.Add(ref w0, k) * xk;
                s1 += Unsafe.Add(ref w1, k) * xk;
                s2 += Unsafe.Add(ref w2, k) * xk;
                s3 += Unsafe.Add(ref w3, k) * xk;
            }
            Unsafe.Add(ref y, o) += s0;
            Unsafe.Add(ref y, o + 1) += s1;
            Unsafe.Add(ref y, o + 2) += s2;
            Unsafe.Add(ref y, o + 3) += s3;
        }
        for (; o < p; o++) Unsafe.Add(ref y, o) += Dot(ref Unsafe.Add(ref w, o * p), ref x, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

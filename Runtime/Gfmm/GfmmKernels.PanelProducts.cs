using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GenLu.Kernels;

namespace GenLu.Gfmm;

/// <summary>Panel products <c>y (+)= op(W) x</c> of a P x P weight with a P x count panel.</summary>
internal static unsafe partial class GfmmKernels
{
    /// <summary>
    /// <c>y += op(W) x</c> with <c>op(W) = W</c> or <c>W^T</c>; x and y are P x count panels. W is P x P, its non-zero
    /// entries in its leading <paramref name="rows"/> x <paramref name="columns"/> block (the whole tensor by default; a
    /// rank-r basis padded to P holds r rows), and <paramref name="w"/> holds that block alone, row-major (P x P: the
    /// tensor itself).
    /// </summary>
    public static void MultiplyAdd<T>(ReadOnlySpan<T> w, bool transpose, ReadOnlySpan<T> x, Span<T> y, int p, int count, int rows = -1, int columns = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (rows, columns) = rows < 0 ? (p, p) : (rows, columns);
        if (w.Length < rows * columns) throw new ArgumentException($"A {rows} x {columns} block needs {rows * columns} values, not {w.Length}.", nameof(w));
        // Pinned for the pointer level-1 kernels of GenLu.Kernels; the panel loops below work on the same memory by ref.
        fixed (T* wPointer = w)
        fixed (T* xPointer = x)
        fixed (T* yPointer = y)
            MultiplyAddPinned(ref *wPointer, transpose, ref *xPointer, ref *yPointer, count, rows, columns);
    }

    private static void MultiplyAddPinned<T>(ref T wRef, bool transpose, ref T xRef, ref T yRef, int count, int rows, int columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (count == 1)
        {
            if (transpose && Avx512F.IsSupported && columns <= 4 * Vector512<T>.Count)
                ColumnsIntoRegisters(ref wRef, ref xRef, ref yRef, rows, columns);
            else if (transpose)
                for (int o = 0; o < rows; o++) StridedLevel1<T>.Axpy(Unsafe.Add(ref xRef, o), Pinned(ref Unsafe.Add(ref wRef, o * columns)), 1, Pinned(ref yRef), 1, columns);
            else
                RowsDotAdd(ref wRef, ref xRef, ref yRef, rows, columns);
            return;
        }
        // Coefficient (out, in) of op(W) sits at out * outStride + in * inStride; op(W)'s block is outputs x inputs.
        int outStride = transpose ? 1 : columns;
        int inStride = transpose ? columns : 1;
        var (outputs, inputs) = transpose ? (columns, rows) : (rows, columns);
        int firstColumn = 0;
        if (Vector512.IsHardwareAccelerated)
            firstColumn = PanelMultiplyAdd512(ref wRef, outStride, inStride, ref xRef, ref yRef, outputs, inputs, count);
        PanelMultiplyAdd(ref wRef, outStride, inStride, ref xRef, ref yRef, outputs, inputs, count, firstColumn);
    }

    /// <summary>
    /// The leading multiple of four Vector512 widths of columns (64 floats, 32 doubles) of <see cref="PanelMultiplyAdd{T}"/>
    /// on Vector512: four output rows times four vectors are 16 accumulators, each loaded row of x feeds four of them and
    /// each broadcast weight four (measured on the float N = 4096 structured solve with 64 vectors: 4.31 → 2.70 ms).
    /// Returns the first column it left to the generic kernel.
    /// </summary>
    private static int PanelMultiplyAdd512<T>(ref T w, int outStride, int inStride, ref T x, ref T y, int outputs, int inputs, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)Vector512<T>.Count;
        int block = 4 * Vector512<T>.Count;
        int blockEnd = count - count % block;
        int o = 0;
        for (; o + 4 <= outputs; o += 4)
            for (int j = 0; j < blockEnd; j += block)
            {
                ref T target = ref Unsafe.Add(ref y, o * count + j);
                nuint r1 = (nuint)count, r2 = 2 * r1, r3 = 3 * r1;
                Vector512<T> a00 = Vector512.LoadUnsafe(ref target), a01 = Vector512.LoadUnsafe(ref target, width), a02 = Vector512.LoadUnsafe(ref target, 2 * width), a03 = Vector512.LoadUnsafe(ref target, 3 * width);
                Vector512<T> a10 = Vector512.LoadUnsafe(ref target, r1), a11 = Vector512.LoadUnsafe(ref target, r1 + width), a12 = Vector512.LoadUnsafe(ref target, r1 + 2 * width), a13 = Vector512.LoadUnsafe(ref target, r1 + 3 * width);
                Vector512<T> a20 = Vector512.LoadUnsafe(ref target, r2), a21 = Vector512.LoadUnsafe(ref target, r2 + width), a22 = Vector512.LoadUnsafe(ref target, r2 + 2 * width), a23 = Vector512.LoadUnsafe(ref target, r2 + 3 * width);
                Vector512<T> a30 = Vector512.LoadUnsafe(ref target, r3), a31 = Vector512.LoadUnsafe(ref target, r3 + width), a32 = Vector512.LoadUnsafe(ref target, r3 + 2 * width), a33 = Vector512.LoadUnsafe(ref target, r3 + 3 * width);
                for (int k = 0; k < inputs; k++)
                {
                    ref T source = ref Unsafe.Add(ref x, k * count + j);
                    var x0 = Vector512.LoadUnsafe(ref source);
                    var x1 = Vector512.LoadUnsafe(ref source, width);
                    var x2 = Vector512.LoadUnsafe(ref source, 2 * width);
                    var x3 = Vector512.LoadUnsafe(ref source, 3 * width);
                    ref T weights = ref Unsafe.Add(ref w, o * outStride + k * inStride);
                    var b0 = Vector512.Create(weights);
                    a00 = Simd.Fma(b0, x0, a00); a01 = Simd.Fma(b0, x1, a01);
                    a02 = Simd.Fma(b0, x2, a02); a03 = Simd.Fma(b0, x3, a03);
                    var b1 = Vector512.Create(Unsafe.Add(ref weights, outStride));
                    a10 = Simd.Fma(b1, x0, a10); a11 = Simd.Fma(b1, x1, a11);
                    a12 = Simd.Fma(b1, x2, a12); a13 = Simd.Fma(b1, x3, a13);
                    var b2 = Vector512.Create(Unsafe.Add(ref weights, 2 * outStride));
                    a20 = Simd.Fma(b2, x0, a20); a21 = Simd.Fma(b2, x1, a21);
                    a22 = Simd.Fma(b2, x2, a22); a23 = Simd.Fma(b2, x3, a23);
                    var b3 = Vector512.Create(Unsafe.Add(ref weights, 3 * outStride));
                    a30 = Simd.Fma(b3, x0, a30); a31 = Simd.Fma(b3, x1, a31);
                    a32 = Simd.Fma(b3, x2, a32); a33 = Simd.Fma(b3, x3, a33);
                }
                a00.StoreUnsafe(ref target); a01.StoreUnsafe(ref target, width); a02.StoreUnsafe(ref target, 2 * width); a03.StoreUnsafe(ref target, 3 * width);
                a10.StoreUnsafe(ref target, r1); a11.StoreUnsafe(ref target, r1 + width); a12.StoreUnsafe(ref target, r1 + 2 * width); a13.StoreUnsafe(ref target, r1 + 3 * width);
                a20.StoreUnsafe(ref target, r2); a21.StoreUnsafe(ref target, r2 + width); a22.StoreUnsafe(ref target, r2 + 2 * width); a23.StoreUnsafe(ref target, r2 + 3 * width);
                a30.StoreUnsafe(ref target, r3); a31.StoreUnsafe(ref target, r3 + width); a32.StoreUnsafe(ref target, r3 + 2 * width); a33.StoreUnsafe(ref target, r3 + 3 * width);
            }
        // The rows past the last group of four (a box's height need not be a multiple of four).
        for (; o < outputs; o++)
            for (int k = 0; k < inputs; k++)
                StridedLevel1<T>.Axpy(Unsafe.Add(ref w, o * outStride + k * inStride), Pinned(ref Unsafe.Add(ref x, k * count)), 1,
                    Pinned(ref Unsafe.Add(ref y, o * count)), 1, blockEnd);
        return blockEnd;
    }

    /// <summary><c>y = op(W) x</c> (overwrites y), W's non-zero entries in its leading box as in <see cref="MultiplyAdd{T}"/>.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> w, bool transpose, ReadOnlySpan<T> x, Span<T> y, int p, int count, int rows = -1, int columns = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        y.Clear();
        MultiplyAdd(w, transpose, x, y, p, count, rows, columns);
    }

    // Columns firstColumn … count-1 (firstColumn a multiple of the vector width). Four output rows at a time
    // share every load of an input row; the inner loop runs over the count dimension with full vectors, then
    // a scalar tail.
    private static void PanelMultiplyAdd<T>(ref T w, int outStride, int inStride, ref T x, ref T y, int outputs, int inputs, int count, int firstColumn)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int vectorEnd = Vector.IsHardwareAccelerated ? count - count % width : firstColumn;
        int o = 0;
        for (; o + 4 <= outputs; o += 4)
        {
            ref T w0 = ref Unsafe.Add(ref w, o * outStride);
            ref T w1 = ref Unsafe.Add(ref w0, outStride);
            ref T w2 = ref Unsafe.Add(ref w1, outStride);
            ref T w3 = ref Unsafe.Add(ref w2, outStride);
            ref T y0 = ref Unsafe.Add(ref y, o * count);
            ref T y1 = ref Unsafe.Add(ref y0, count);
            ref T y2 = ref Unsafe.Add(ref y1, count);
            ref T y3 = ref Unsafe.Add(ref y2, count);
            int j = firstColumn;
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
                for (int k = 0; k < inputs; k++)
                {
                    ref T xRow = ref Unsafe.Add(ref x, k * count);
                    var xa = Vector.LoadUnsafe(ref xRow, at0);
                    var xb = Vector.LoadUnsafe(ref xRow, at1);
                    int at = k * inStride;
                    var c0 = new Vector<T>(Unsafe.Add(ref w0, at));
                    var c1 = new Vector<T>(Unsafe.Add(ref w1, at));
                    var c2 = new Vector<T>(Unsafe.Add(ref w2, at));
                    var c3 = new Vector<T>(Unsafe.Add(ref w3, at));
                    a0 = Simd.Fma(c0, xa, a0);
                    b0 = Simd.Fma(c0, xb, b0);
                    a1 = Simd.Fma(c1, xa, a1);
                    b1 = Simd.Fma(c1, xb, b1);
                    a2 = Simd.Fma(c2, xa, a2);
                    b2 = Simd.Fma(c2, xb, b2);
                    a3 = Simd.Fma(c3, xa, a3);
                    b3 = Simd.Fma(c3, xb, b3);
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
                for (int k = 0; k < inputs; k++)
                {
                    var xv = Vector.LoadUnsafe(ref x, (nuint)(k * count + j));
                    int at = k * inStride;
                    a0 = Simd.Fma(new Vector<T>(Unsafe.Add(ref w0, at)), xv, a0);
                    a1 = Simd.Fma(new Vector<T>(Unsafe.Add(ref w1, at)), xv, a1);
                    a2 = Simd.Fma(new Vector<T>(Unsafe.Add(ref w2, at)), xv, a2);
                    a3 = Simd.Fma(new Vector<T>(Unsafe.Add(ref w3, at)), xv, a3);
                }
                a0.StoreUnsafe(ref y0, (nuint)j);
                a1.StoreUnsafe(ref y1, (nuint)j);
                a2.StoreUnsafe(ref y2, (nuint)j);
                a3.StoreUnsafe(ref y3, (nuint)j);
            }
            for (j = vectorEnd; j < count; j++)
                for (int k = 0; k < inputs; k++)
                {
                    T xk = Unsafe.Add(ref x, k * count + j);
                    int at = k * inStride;
                    Unsafe.Add(ref y0, j) += Unsafe.Add(ref w0, at) * xk;
                    Unsafe.Add(ref y1, j) += Unsafe.Add(ref w1, at) * xk;
                    Unsafe.Add(ref y2, j) += Unsafe.Add(ref w2, at) * xk;
                    Unsafe.Add(ref y3, j) += Unsafe.Add(ref w3, at) * xk;
                }
        }
        for (; o < outputs; o++)
            for (int k = 0; k < inputs; k++)
                StridedLevel1<T>.Axpy(Unsafe.Add(ref w, o * outStride + k * inStride), Pinned(ref Unsafe.Add(ref x, k * count + firstColumn)), 1,
                    Pinned(ref Unsafe.Add(ref y, o * count + firstColumn)), 1, count - firstColumn);
    }

    /// <summary>
    /// One vector in column form, <c>y[0 .. outputs) += Σ_k x[k] · W[k, 0 .. outputs)</c> for the row-major inputs x outputs
    /// block W (op(W) = Wᵀ): y's outputs (at most four Vector512) stay in registers, each weight vector costs one FMA with a
    /// broadcast x[k], and there is no horizontal sum. Even and odd k go to separate accumulators, halving the chain; a
    /// partial last vector is loaded and stored under a lane mask, so nothing outside W's rows or y's outputs is touched.
    /// (The solver's copy holds its dense tensors transposed so that its solve's products take this form.)
    /// </summary>
    private static void ColumnsIntoRegisters<T>(ref T w, ref T x, ref T y, int inputs, int outputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector512<T>.Count, vectors = (outputs + width - 1) / width;
        var last = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(outputs - ((vectors - 1) * width))));
        Vector512<T> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        int k = 0;
        for (; k + 2 <= inputs; k += 2)
        {
            ref T even = ref Unsafe.Add(ref w, k * outputs);
            ref T odd = ref Unsafe.Add(ref even, outputs);
            var xEven = Vector512.Create(Unsafe.Add(ref x, k));
            var xOdd = Vector512.Create(Unsafe.Add(ref x, k + 1));
            a0 = Simd.Fma(RowVector(ref even, 0, vectors, last), xEven, a0);
            b0 = Simd.Fma(RowVector(ref odd, 0, vectors, last), xOdd, b0);
            if (vectors < 2) continue;
            a1 = Simd.Fma(RowVector(ref even, 1, vectors, last), xEven, a1);
            b1 = Simd.Fma(RowVector(ref odd, 1, vectors, last), xOdd, b1);
            if (vectors < 3) continue;
            a2 = Simd.Fma(RowVector(ref even, 2, vectors, last), xEven, a2);
            b2 = Simd.Fma(RowVector(ref odd, 2, vectors, last), xOdd, b2);
            if (vectors < 4) continue;
            a3 = Simd.Fma(RowVector(ref even, 3, vectors, last), xEven, a3);
            b3 = Simd.Fma(RowVector(ref odd, 3, vectors, last), xOdd, b3);
        }
        if (k < inputs)
        {
            ref T row = ref Unsafe.Add(ref w, k * outputs);
            var xk = Vector512.Create(Unsafe.Add(ref x, k));
            a0 = Simd.Fma(RowVector(ref row, 0, vectors, last), xk, a0);
            if (vectors > 1) a1 = Simd.Fma(RowVector(ref row, 1, vectors, last), xk, a1);
            if (vectors > 2) a2 = Simd.Fma(RowVector(ref row, 2, vectors, last), xk, a2);
            if (vectors > 3) a3 = Simd.Fma(RowVector(ref row, 3, vectors, last), xk, a3);
        }
        AddToOutputs(ref y, 0, vectors, last, a0 + b0);
        if (vectors > 1) AddToOutputs(ref y, 1, vectors, last, a1 + b1);
        if (vectors > 2) AddToOutputs(ref y, 2, vectors, last, a2 + b2);
        if (vectors > 3) AddToOutputs(ref y, 3, vectors, last, a3 + b3);
    }

    /// <summary>Vector <paramref name="v"/> of a row; the last one under <paramref name="last"/>'s lanes (a masked load reads
    /// nothing beyond them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> RowVector<T>(ref T row, int v, int vectors, Vector512<T> last)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T start = ref Unsafe.Add(ref row, v * Vector512<T>.Count);
        if (v < vectors - 1) return Vector512.LoadUnsafe(ref start);
        void* address = Unsafe.AsPointer(ref start);
        return typeof(T) == typeof(float)
            ? Avx512F.MaskLoad((float*)address, last.AsSingle(), Vector512<float>.Zero).As<float, T>()
            : Avx512F.MaskLoad((double*)address, last.AsDouble(), Vector512<double>.Zero).As<double, T>();
    }

    /// <summary><c>y[v-th vector] += sum</c>, the last vector under <paramref name="last"/>'s lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddToOutputs<T>(ref T y, int v, int vectors, Vector512<T> last, Vector512<T> sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var total = RowVector(ref y, v, vectors, last) + sum;
        ref T start = ref Unsafe.Add(ref y, v * Vector512<T>.Count);
        if (v < vectors - 1)
        {
            total.StoreUnsafe(ref start);
            return;
        }
        void* address = Unsafe.AsPointer(ref start);
        if (typeof(T) == typeof(float)) Avx512F.MaskStore((float*)address, last.AsSingle(), total.AsSingle());
        else Avx512F.MaskStore((double*)address, last.AsDouble(), total.AsDouble());
    }

    // y[o] += W[o, :columns] · x for the first rows, four rows at a time so that every load of x feeds four accumulators.
    private static void RowsDotAdd<T>(ref T w, ref T x, ref T y, int rows, int columns) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int vectorEnd = Vector.IsHardwareAccelerated ? columns - columns % width : 0;
        int o = 0;
        for (; o + 4 <= rows; o += 4)
        {
            ref T w0 = ref Unsafe.Add(ref w, o * columns);
            ref T w1 = ref Unsafe.Add(ref w0, columns);
            ref T w2 = ref Unsafe.Add(ref w1, columns);
            ref T w3 = ref Unsafe.Add(ref w2, columns);
            Vector<T> a0 = Vector<T>.Zero, a1 = Vector<T>.Zero, a2 = Vector<T>.Zero, a3 = Vector<T>.Zero;
            for (int k = 0; k < vectorEnd; k += width)
            {
                var xv = Vector.LoadUnsafe(ref x, (nuint)k);
                a0 = Simd.Fma(Vector.LoadUnsafe(ref w0, (nuint)k), xv, a0);
                a1 = Simd.Fma(Vector.LoadUnsafe(ref w1, (nuint)k), xv, a1);
                a2 = Simd.Fma(Vector.LoadUnsafe(ref w2, (nuint)k), xv, a2);
                a3 = Simd.Fma(Vector.LoadUnsafe(ref w3, (nuint)k), xv, a3);
            }
            T s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
            for (int k = vectorEnd; k < columns; k++)
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
        for (; o < rows; o++) Unsafe.Add(ref y, o) += StridedLevel1<T>.Dot(Pinned(ref Unsafe.Add(ref w, o * columns)), 1, Pinned(ref x), 1, columns);
    }
}

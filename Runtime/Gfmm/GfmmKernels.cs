using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using GenLu.Structure;

namespace GenLu.Gfmm;

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
        int firstColumn = 0;
        if (typeof(T) == typeof(float) && Vector512.IsHardwareAccelerated && p % 4 == 0)
            firstColumn = PanelMultiplyAdd512(ref Unsafe.As<T, float>(ref wRef), outStride, inStride,
                ref Unsafe.As<T, float>(ref xRef), ref Unsafe.As<T, float>(ref yRef), p, count);
        PanelMultiplyAdd(ref wRef, outStride, inStride, ref xRef, ref yRef, p, count, firstColumn);
    }

    /// <summary>
    /// The leading multiple of 64 columns of <see cref="PanelMultiplyAdd{T}"/> for float on Vector512: four
    /// output rows times four vectors are 16 accumulators, each loaded row of x feeds four of them and each
    /// broadcast weight four (measured on the N = 4096 structured solve with 64 vectors: 4.31 → 2.70 ms). Returns the
    /// first column it left to the generic kernel.
    /// </summary>
    private static int PanelMultiplyAdd512(ref float w, int outStride, int inStride, ref float x, ref float y, int p, int count)
    {
        const int Width = 16, Block = 4 * Width;
        int blockEnd = count - count % Block;
        for (int o = 0; o < p; o += 4)
            for (int j = 0; j < blockEnd; j += Block)
            {
                ref float target = ref Unsafe.Add(ref y, o * count + j);
                nuint r1 = (nuint)count, r2 = 2 * r1, r3 = 3 * r1;
                Vector512<float> a00 = Vector512.LoadUnsafe(ref target), a01 = Vector512.LoadUnsafe(ref target, Width), a02 = Vector512.LoadUnsafe(ref target, 2 * Width), a03 = Vector512.LoadUnsafe(ref target, 3 * Width);
                Vector512<float> a10 = Vector512.LoadUnsafe(ref target, r1), a11 = Vector512.LoadUnsafe(ref target, r1 + Width), a12 = Vector512.LoadUnsafe(ref target, r1 + 2 * Width), a13 = Vector512.LoadUnsafe(ref target, r1 + 3 * Width);
                Vector512<float> a20 = Vector512.LoadUnsafe(ref target, r2), a21 = Vector512.LoadUnsafe(ref target, r2 + Width), a22 = Vector512.LoadUnsafe(ref target, r2 + 2 * Width), a23 = Vector512.LoadUnsafe(ref target, r2 + 3 * Width);
                Vector512<float> a30 = Vector512.LoadUnsafe(ref target, r3), a31 = Vector512.LoadUnsafe(ref target, r3 + Width), a32 = Vector512.LoadUnsafe(ref target, r3 + 2 * Width), a33 = Vector512.LoadUnsafe(ref target, r3 + 3 * Width);
                for (int k = 0; k < p; k++)
                {
                    ref float source = ref Unsafe.Add(ref x, k * count + j);
                    var x0 = Vector512.LoadUnsafe(ref source);
                    var x1 = Vector512.LoadUnsafe(ref source, Width);
                    var x2 = Vector512.LoadUnsafe(ref source, 2 * Width);
                    var x3 = Vector512.LoadUnsafe(ref source, 3 * Width);
                    ref float weights = ref Unsafe.Add(ref w, o * outStride + k * inStride);
                    var b0 = Vector512.Create(weights);
                    a00 = Vector512.FusedMultiplyAdd(b0, x0, a00); a01 = Vector512.FusedMultiplyAdd(b0, x1, a01);
                    a02 = Vector512.FusedMultiplyAdd(b0, x2, a02); a03 = Vector512.FusedMultiplyAdd(b0, x3, a03);
                    var b1 = Vector512.Create(Unsafe.Add(ref weights, outStride));
                    a10 = Vector512.FusedMultiplyAdd(b1, x0, a10); a11 = Vector512.FusedMultiplyAdd(b1, x1, a11);
                    a12 = Vector512.FusedMultiplyAdd(b1, x2, a12); a13 = Vector512.FusedMultiplyAdd(b1, x3, a13);
                    var b2 = Vector512.Create(Unsafe.Add(ref weights, 2 * outStride));
                    a20 = Vector512.FusedMultiplyAdd(b2, x0, a20); a21 = Vector512.FusedMultiplyAdd(b2, x1, a21);
                    a22 = Vector512.FusedMultiplyAdd(b2, x2, a22); a23 = Vector512.FusedMultiplyAdd(b2, x3, a23);
                    var b3 = Vector512.Create(Unsafe.Add(ref weights, 3 * outStride));
                    a30 = Vector512.FusedMultiplyAdd(b3, x0, a30); a31 = Vector512.FusedMultiplyAdd(b3, x1, a31);
                    a32 = Vector512.FusedMultiplyAdd(b3, x2, a32); a33 = Vector512.FusedMultiplyAdd(b3, x3, a33);
                }
                a00.StoreUnsafe(ref target); a01.StoreUnsafe(ref target, Width); a02.StoreUnsafe(ref target, 2 * Width); a03.StoreUnsafe(ref target, 3 * Width);
                a10.StoreUnsafe(ref target, r1); a11.StoreUnsafe(ref target, r1 + Width); a12.StoreUnsafe(ref target, r1 + 2 * Width); a13.StoreUnsafe(ref target, r1 + 3 * Width);
                a20.StoreUnsafe(ref target, r2); a21.StoreUnsafe(ref target, r2 + Width); a22.StoreUnsafe(ref target, r2 + 2 * Width); a23.StoreUnsafe(ref target, r2 + 3 * Width);
                a30.StoreUnsafe(ref target, r3); a31.StoreUnsafe(ref target, r3 + Width); a32.StoreUnsafe(ref target, r3 + 2 * Width); a33.StoreUnsafe(ref target, r3 + 3 * Width);
            }
        return blockEnd;
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
    /// then the swaps undone in reverse order. <paramref name="luTransposed"/> holds the same factors
    /// transposed, so that a single vector can always be solved in row (dot-product) form.
    /// </summary>
    public static void LuSolve(ReadOnlySpan<float> lu, ReadOnlySpan<float> luTransposed, ReadOnlySpan<int> pivots, bool transpose,
        Span<float> z, int p, int count)
    {
        ref float zRef = ref MemoryMarshal.GetReference(z);
        if (!transpose)
            for (int k = 0; k < p; k++) SwapRows(ref zRef, k, pivots[k], count);
        if (count == 1)
        {
            // Row k of Uᵀ and Lᵀ is row k of the transposed factors: the same sweeps, dividing by the
            // diagonal in the forward sweep (Uᵀ) instead of the backward one (U).
            ref float rows = ref MemoryMarshal.GetReference(transpose ? luTransposed : lu);
            BlockedSubstitution(ref rows, ref zRef, p, divideForward: transpose);
        }
        else
        {
            // Column blocks of 64 on Vector512 first (row form, accumulators in registers), the rest with row
            // operations on the remaining columns. Both apply the same operations in the same order.
            int first = Vector512.IsHardwareAccelerated ? count - count % 64 : 0;
            if (first > 0)
            {
                ref float rows = ref MemoryMarshal.GetReference(transpose ? luTransposed : lu);
                SubstituteBlocks512(ref rows, ref zRef, p, count, first, ascending: true, divide: transpose);
                SubstituteBlocks512(ref rows, ref zRef, p, count, first, ascending: false, divide: !transpose);
            }
            if (first < count) RowOperations(lu, transpose, ref Unsafe.Add(ref zRef, first), p, count, count - first);
        }
        if (transpose)
            for (int k = p - 1; k >= 0; k--) SwapRows(ref zRef, k, pivots[k], count);
    }

    /// <summary>
    /// One triangular sweep over the first <paramref name="blockEnd"/> columns (a multiple of 64) of the P x count
    /// panel, in row form: row i = (row i − Σ rows[i, k] · row k) (· 1 / rows[i, i] if <paramref name="divide"/>),
    /// k over the rows already solved, in the order the row operations would apply them (ascending sweeps: k
    /// ascending; descending sweeps: k descending), so the result is bit for bit that of <see cref="RowOperations"/>.
    /// Four Vector512 accumulators per row stay in registers; only the finished row is stored.
    /// </summary>
    private static void SubstituteBlocks512(ref float rows, ref float z, int p, int count, int blockEnd, bool ascending, bool divide)
    {
        const int Width = 16;
        for (int j = 0; j < blockEnd; j += 4 * Width)
            for (int step = 0; step < p; step++)
            {
                int i = ascending ? step : p - 1 - step;
                ref float target = ref Unsafe.Add(ref z, i * count + j);
                ref float row = ref Unsafe.Add(ref rows, i * p);
                var a0 = Vector512.LoadUnsafe(ref target);
                var a1 = Vector512.LoadUnsafe(ref target, Width);
                var a2 = Vector512.LoadUnsafe(ref target, 2 * Width);
                var a3 = Vector512.LoadUnsafe(ref target, 3 * Width);
                for (int solved = 0; solved < step; solved++)
                {
                    int k = ascending ? solved : p - 1 - solved;
                    var c = Vector512.Create(-Unsafe.Add(ref row, k));
                    ref float source = ref Unsafe.Add(ref z, k * count + j);
                    a0 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref source), a0);
                    a1 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref source, Width), a1);
                    a2 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref source, 2 * Width), a2);
                    a3 = Vector512.FusedMultiplyAdd(c, Vector512.LoadUnsafe(ref source, 3 * Width), a3);
                }
                if (divide)
                {
                    var inverse = Vector512.Create(1f / Unsafe.Add(ref row, i));
                    a0 *= inverse;
                    a1 *= inverse;
                    a2 *= inverse;
                    a3 *= inverse;
                }
                a0.StoreUnsafe(ref target);
                a1.StoreUnsafe(ref target, Width);
                a2.StoreUnsafe(ref target, 2 * Width);
                a3.StoreUnsafe(ref target, 3 * Width);
            }
    }

    /// <summary>
    /// Both sweeps as row operations on <paramref name="width"/> columns of every panel row (rows
    /// <paramref name="count"/> apart), vectorized over the columns: op(G) with G's factors in
    /// <paramref name="lu"/>, after the row swaps.
    /// </summary>
    private static void RowOperations(ReadOnlySpan<float> lu, bool transpose, ref float z, int p, int count, int width)
    {
        ref float a = ref MemoryMarshal.GetReference(lu);
        if (!transpose)
        {
            for (int k = 0; k < p; k++)
                for (int r = k + 1; r < p; r++)
                    Axpy(-Unsafe.Add(ref a, r * p + k), ref Unsafe.Add(ref z, k * count), ref Unsafe.Add(ref z, r * count), width);
            for (int k = p - 1; k >= 0; k--)
            {
                Scale(1f / Unsafe.Add(ref a, k * p + k), ref Unsafe.Add(ref z, k * count), width);
                for (int r = 0; r < k; r++)
                    Axpy(-Unsafe.Add(ref a, r * p + k), ref Unsafe.Add(ref z, k * count), ref Unsafe.Add(ref z, r * count), width);
            }
        }
        else
        {
            for (int k = 0; k < p; k++)
            {
                Scale(1f / Unsafe.Add(ref a, k * p + k), ref Unsafe.Add(ref z, k * count), width);
                for (int j = k + 1; j < p; j++)
                    Axpy(-Unsafe.Add(ref a, k * p + j), ref Unsafe.Add(ref z, k * count), ref Unsafe.Add(ref z, j * count), width);
            }
            for (int k = p - 1; k > 0; k--)
                for (int j = 0; j < k; j++)
                    Axpy(-Unsafe.Add(ref a, k * p + j), ref Unsafe.Add(ref z, k * count), ref Unsafe.Add(ref z, j * count), width);
        }
    }

    /// <summary>
    /// Forward then backward substitution of one vector with the triangles of the row-major P x P
    /// <paramref name="rows"/> (strictly lower part, then upper part), the diagonal used by the forward
    /// sweep if <paramref name="divideForward"/> and by the backward sweep otherwise (the other is unit).
    /// Blocked by the vector width: the coupling to already solved blocks is a set of independent SIMD
    /// dot products, and only the small triangle inside each block is a serial scalar recurrence.
    /// </summary>
    private static void BlockedSubstitution(ref float rows, ref float z, int p, bool divideForward)
    {
        int block = Math.Max(4, Vector<float>.Count);
        for (int first = 0; first < p; first += block)
        {
            int end = Math.Min(first + block, p);
            for (int r = first; r < end; r++)
            {
                ref float row = ref Unsafe.Add(ref rows, r * p);
                float value = Unsafe.Add(ref z, r) - Dot(ref row, ref z, first);
                for (int j = first; j < r; j++) value -= Unsafe.Add(ref row, j) * Unsafe.Add(ref z, j);
                Unsafe.Add(ref z, r) = divideForward ? value / Unsafe.Add(ref row, r) : value;
            }
        }
        for (int end = p; end > 0; end -= block)
        {
            int first = Math.Max(end - block, 0);
            for (int r = end - 1; r >= first; r--)
            {
                ref float row = ref Unsafe.Add(ref rows, r * p);
                float value = Unsafe.Add(ref z, r) - Dot(ref Unsafe.Add(ref row, end), ref Unsafe.Add(ref z, end), p - end);
                for (int j = r + 1; j < end; j++) value -= Unsafe.Add(ref row, j) * Unsafe.Add(ref z, j);
                Unsafe.Add(ref z, r) = divideForward ? value : value / Unsafe.Add(ref row, r);
            }
        }
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

    // Columns firstColumn … count-1 (firstColumn a multiple of the vector width). Four output rows at a time
    // share every load of an input row; the inner loop runs over the count dimension with full vectors, then
    // a scalar tail.
    private static void PanelMultiplyAdd<T>(ref T w, int outStride, int inStride, ref T x, ref T y, int p, int count, int firstColumn)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int vectorEnd = Vector.IsHardwareAccelerated ? count - count % width : firstColumn;
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
                Axpy(Unsafe.Add(ref w, o * outStride + k * inStride), ref Unsafe.Add(ref x, k * count + firstColumn), ref Unsafe.Add(ref y, o * count + firstColumn), count - firstColumn);
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

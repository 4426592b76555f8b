using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GenLu.Kernels;

/// <summary>
/// Pointers to the two packing buffers of <see cref="PackedGemm{T}"/>, pinned by the caller:
/// <see cref="PackedA"/> holds <see cref="PackedGemm{T}.PackedALength"/> elements and
/// <see cref="PackedB"/> holds <see cref="PackedGemm{T}.PackedBLength"/>.
/// </summary>
internal readonly unsafe struct GemmWorkspace<T>(T* packedA, T* packedB)
    where T : unmanaged
{
    public T* PackedA { get; } = packedA;

    public T* PackedB { get; } = packedB;
}

/// <summary>
/// C -= A * B for strided views, in the GotoBLAS / BLIS scheme: B is packed into KC x NC panels of
/// NR-column slivers, A into MC x KC blocks of MR-row slivers, and a register-blocked micro-kernel
/// (MR x NR accumulators, FMA) sweeps the packed block. C is handled as column-major; a row-major C
/// is updated through the transposed identity C^T -= B^T A^T, so one micro-kernel serves both layouts.
/// The micro-kernel comes in the three widths of the ladder (<see cref="SimdWidth"/>): Vector512 and Vector256
/// on x64, Vector128 on Arm64 (and below AVX2).
/// </summary>
/// <remarks>
/// Aliasing contract used by the triangular solve: when k &lt;= KC (one packed B panel) and, for a
/// row-major C, m &lt;= NC, the B operand may alias C (column-major C) or the A operand may alias C
/// (row-major C), because every slice of the aliased operand is packed before the same slice of C is
/// written.
/// </remarks>
internal static unsafe class PackedGemm<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows of the micro-tile for a width: two SIMD vectors.</summary>
    public static int TileRows(SimdWidth width) => width switch
    {
        SimdWidth.Vector512 => 2 * Vector512<T>.Count,
        SimdWidth.Vector256 => 2 * Vector256<T>.Count,
        _ => 2 * Vector128<T>.Count,
    };

    /// <summary>
    /// Columns of the micro-tile for a width: 16 zmm accumulators with AVX-512 (32 registers), 12 ymm with AVX2
    /// (16 registers), 16 q-registers with Arm64's 32 Neon registers.
    /// </summary>
    public static int TileColumns(SimdWidth width) => width == SimdWidth.Vector256 ? 6 : 8;

    /// <summary>Depth of a packed panel: a KC x NR sliver of B stays in L1.</summary>
    public const int KC = 256;

    /// <summary>Rows of a packed A block (a multiple of every MR): MC x KC stays in L2.</summary>
    public const int MC = 128;

    /// <summary>Columns of a packed B panel (a multiple of every NR).</summary>
    public const int NC = 480;

    public static int PackedALength => MC * KC;

    public static int PackedBLength => KC * NC;

    /// <summary>c[0..m, 0..n] -= a[0..m, 0..k] * b[0..k, 0..n].</summary>
    public static void SubtractProduct(StridedMatrix<T> c, StridedMatrix<T> a, StridedMatrix<T> b, int m, int n, int k, GemmWorkspace<T> workspace) =>
        SubtractProduct(c, a, b, m, n, k, workspace, Simd.Widest);

    /// <summary>The same with the micro-kernel of a given width (tests force the narrower rungs with it).</summary>
    public static void SubtractProduct(StridedMatrix<T> c, StridedMatrix<T> a, StridedMatrix<T> b, int m, int n, int k, GemmWorkspace<T> workspace, SimdWidth width)
    {
        int mr = TileRows(width), nr = TileColumns(width);
        if (m == 0 || n == 0 || k == 0)
            return;
        if (!c.HasContiguousColumns)
        {
            (c, a, b, m, n) = (c.Transposed, b.Transposed, a.Transposed, n, m);
        }

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                PackB(b.Slice(pc, jc), kc, nc, nr, workspace.PackedB);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    PackA(a.Slice(ic, pc), mc, kc, mr, workspace.PackedA);
                    MultiplyPackedBlock(c.At(ic, jc), c.ColStride, mc, nc, kc, workspace.PackedA, workspace.PackedB, width, mr, nr);
                }
            }
        }
    }

    /// <summary>
    /// z = x y for row-major spans (x is rows x inner, y inner x cols, z rows x cols, not overlapping), with pooled
    /// packing buffers: the form for callers outside a hot loop, e.g. the small products of the exact construction.
    /// </summary>
    public static void Multiply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> z, int rows, int inner, int cols)
    {
        z[..(rows * cols)].Clear();
        T[] packedA = ArrayPool<T>.Shared.Rent(PackedALength);
        T[] packedB = ArrayPool<T>.Shared.Rent(PackedBLength);
        try
        {
            fixed (T* xp = x)
            fixed (T* yp = y)
            fixed (T* zp = z)
            fixed (T* a = packedA)
            fixed (T* b = packedB)
            {
                // The kernel subtracts: z = 0 - x y, then an exact negation.
                SubtractProduct(new StridedMatrix<T>(zp, cols, 1), new StridedMatrix<T>(xp, inner, 1), new StridedMatrix<T>(yp, cols, 1), rows, cols, inner, new GemmWorkspace<T>(a, b));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(packedB);
            ArrayPool<T>.Shared.Return(packedA);
        }

        Level1.Scale(-T.One, z[..(rows * cols)]);
    }

    /// <summary>MR-row slivers, each stored k-major (MR consecutive values per k), zero-padded.</summary>
    private static void PackA(StridedMatrix<T> a, int mc, int kc, int mr, T* packed)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            if (rows == mr && a.RowStride == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    Unsafe.CopyBlockUnaligned(packed, a.At(i0, p), (uint)(mr * sizeof(T)));
                    packed += mr;
                }

                continue;
            }

            for (int p = 0; p < kc; p++)
            {
                int r = 0;
                for (; r < rows; r++)
                    packed[r] = *a.At(i0 + r, p);
                for (; r < mr; r++)
                    packed[r] = T.Zero;
                packed += mr;
            }
        }
    }

    /// <summary>NR-column slivers, each stored k-major (NR consecutive values per k), zero-padded.</summary>
    private static void PackB(StridedMatrix<T> b, int kc, int nc, int nr, T* packed)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            if (cols == nr && b.ColStride == 1)
            {
                for (int p = 0; p < kc; p++)
                {
                    Unsafe.CopyBlockUnaligned(packed, b.At(p, j0), (uint)(nr * sizeof(T)));
                    packed += nr;
                }

                continue;
            }

            for (int p = 0; p < kc; p++)
            {
                int col = 0;
                for (; col < cols; col++)
                    packed[col] = *b.At(p, j0 + col);
                for (; col < nr; col++)
                    packed[col] = T.Zero;
                packed += nr;
            }
        }
    }

    private static void MultiplyPackedBlock(T* c, nint ldc, int mc, int nc, int kc, T* packedA, T* packedB, SimdWidth width, int mr, int nr)
    {
        T* edgeTile = stackalloc T[mr * nr];
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            T* bSliver = packedB + (nint)j0 * kc;
            for (int i0 = 0; i0 < mc; i0 += mr)
            {
                int rows = Math.Min(mr, mc - i0);
                T* aSliver = packedA + (nint)i0 * kc;
                T* cTile = c + i0 + j0 * ldc;
                if (rows == mr && cols == nr)
                {
                    MicroKernel(width, kc, aSliver, bSliver, cTile, ldc);
                    continue;
                }

                // Partial tile: run the full kernel on a zeroed scratch tile, then subtract its valid part.
                new Span<T>(edgeTile, mr * nr).Clear();
                MicroKernel(width, kc, aSliver, bSliver, edgeTile, mr);
                for (int j = 0; j < cols; j++)
                {
                    for (int i = 0; i < rows; i++)
                        cTile[i + j * ldc] += edgeTile[i + j * mr];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MicroKernel(SimdWidth width, int kc, T* a, T* b, T* c, nint ldc)
    {
        if (width == SimdWidth.Vector512)
            MicroKernel512(kc, a, b, c, ldc);
        else if (width == SimdWidth.Vector256)
            MicroKernel256(kc, a, b, c, ldc);
        else
            MicroKernel128(kc, a, b, c, ldc);
    }

    /// <summary>C[0..2V, 0..8] -= A-sliver * B-sliver with 16 zmm accumulators.</summary>
    private static void MicroKernel512(int kc, T* a, T* b, T* c, nint ldc)
    {
        int v = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<T> c04 = default, c05 = default, c06 = default, c07 = default;
        Vector512<T> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<T> c14 = default, c15 = default, c16 = default, c17 = default;
        for (int p = 0; p < kc; p++)
        {
            var a0 = Vector512.Load(a);
            var a1 = Vector512.Load(a + v);
            var bj = Vector512.Create(b[0]);
            c00 = Simd.Fma(a0, bj, c00);
            c10 = Simd.Fma(a1, bj, c10);
            bj = Vector512.Create(b[1]);
            c01 = Simd.Fma(a0, bj, c01);
            c11 = Simd.Fma(a1, bj, c11);
            bj = Vector512.Create(b[2]);
            c02 = Simd.Fma(a0, bj, c02);
            c12 = Simd.Fma(a1, bj, c12);
            bj = Vector512.Create(b[3]);
            c03 = Simd.Fma(a0, bj, c03);
            c13 = Simd.Fma(a1, bj, c13);
            bj = Vector512.Create(b[4]);
            c04 = Simd.Fma(a0, bj, c04);
            c14 = Simd.Fma(a1, bj, c14);
            bj = Vector512.Create(b[5]);
            c05 = Simd.Fma(a0, bj, c05);
            c15 = Simd.Fma(a1, bj, c15);
            bj = Vector512.Create(b[6]);
            c06 = Simd.Fma(a0, bj, c06);
            c16 = Simd.Fma(a1, bj, c16);
            bj = Vector512.Create(b[7]);
            c07 = Simd.Fma(a0, bj, c07);
            c17 = Simd.Fma(a1, bj, c17);
            a += 2 * v;
            b += 8;
        }

        SubtractColumn512(c, v, c00, c10);
        SubtractColumn512(c + ldc, v, c01, c11);
        SubtractColumn512(c + 2 * ldc, v, c02, c12);
        SubtractColumn512(c + 3 * ldc, v, c03, c13);
        SubtractColumn512(c + 4 * ldc, v, c04, c14);
        SubtractColumn512(c + 5 * ldc, v, c05, c15);
        SubtractColumn512(c + 6 * ldc, v, c06, c16);
        SubtractColumn512(c + 7 * ldc, v, c07, c17);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubtractColumn512(T* column, int v, Vector512<T> top, Vector512<T> bottom)
    {
        Vector512.Store(Vector512.Load(column) - top, column);
        Vector512.Store(Vector512.Load(column + v) - bottom, column + v);
    }

    /// <summary>C[0..2V, 0..6] -= A-sliver * B-sliver with 12 ymm accumulators.</summary>
    private static void MicroKernel256(int kc, T* a, T* b, T* c, nint ldc)
    {
        int v = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector256<T> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (int p = 0; p < kc; p++)
        {
            var a0 = Vector256.Load(a);
            var a1 = Vector256.Load(a + v);
            var bj = Vector256.Create(b[0]);
            c00 = Simd.Fma(a0, bj, c00);
            c10 = Simd.Fma(a1, bj, c10);
            bj = Vector256.Create(b[1]);
            c01 = Simd.Fma(a0, bj, c01);
            c11 = Simd.Fma(a1, bj, c11);
            bj = Vector256.Create(b[2]);
            c02 = Simd.Fma(a0, bj, c02);
            c12 = Simd.Fma(a1, bj, c12);
            bj = Vector256.Create(b[3]);
            c03 = Simd.Fma(a0, bj, c03);
            c13 = Simd.Fma(a1, bj, c13);
            bj = Vector256.Create(b[4]);
            c04 = Simd.Fma(a0, bj, c04);
            c14 = Simd.Fma(a1, bj, c14);
            bj = Vector256.Create(b[5]);
            c05 = Simd.Fma(a0, bj, c05);
            c15 = Simd.Fma(a1, bj, c15);
            a += 2 * v;
            b += 6;
        }

        SubtractColumn256(c, v, c00, c10);
        SubtractColumn256(c + ldc, v, c01, c11);
        SubtractColumn256(c + 2 * ldc, v, c02, c12);
        SubtractColumn256(c + 3 * ldc, v, c03, c13);
        SubtractColumn256(c + 4 * ldc, v, c04, c14);
        SubtractColumn256(c + 5 * ldc, v, c05, c15);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubtractColumn256(T* column, int v, Vector256<T> top, Vector256<T> bottom)
    {
        Vector256.Store(Vector256.Load(column) - top, column);
        Vector256.Store(Vector256.Load(column + v) - bottom, column + v);
    }

    /// <summary>C[0..2V, 0..8] -= A-sliver * B-sliver with 16 Vector128 accumulators (Arm64 has 32 of them).</summary>
    private static void MicroKernel128(int kc, T* a, T* b, T* c, nint ldc)
    {
        int v = Vector128<T>.Count;
        Vector128<T> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<T> c04 = default, c05 = default, c06 = default, c07 = default;
        Vector128<T> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector128<T> c14 = default, c15 = default, c16 = default, c17 = default;
        for (int p = 0; p < kc; p++)
        {
            var a0 = Vector128.Load(a);
            var a1 = Vector128.Load(a + v);
            var bj = Vector128.Create(b[0]);
            c00 = Simd.Fma(a0, bj, c00);
            c10 = Simd.Fma(a1, bj, c10);
            bj = Vector128.Create(b[1]);
            c01 = Simd.Fma(a0, bj, c01);
            c11 = Simd.Fma(a1, bj, c11);
            bj = Vector128.Create(b[2]);
            c02 = Simd.Fma(a0, bj, c02);
            c12 = Simd.Fma(a1, bj, c12);
            bj = Vector128.Create(b[3]);
            c03 = Simd.Fma(a0, bj, c03);
            c13 = Simd.Fma(a1, bj, c13);
            bj = Vector128.Create(b[4]);
            c04 = Simd.Fma(a0, bj, c04);
            c14 = Simd.Fma(a1, bj, c14);
            bj = Vector128.Create(b[5]);
            c05 = Simd.Fma(a0, bj, c05);
            c15 = Simd.Fma(a1, bj, c15);
            bj = Vector128.Create(b[6]);
            c06 = Simd.Fma(a0, bj, c06);
            c16 = Simd.Fma(a1, bj, c16);
            bj = Vector128.Create(b[7]);
            c07 = Simd.Fma(a0, bj, c07);
            c17 = Simd.Fma(a1, bj, c17);
            a += 2 * v;
            b += 8;
        }

        SubtractColumn128(c, v, c00, c10);
        SubtractColumn128(c + ldc, v, c01, c11);
        SubtractColumn128(c + 2 * ldc, v, c02, c12);
        SubtractColumn128(c + 3 * ldc, v, c03, c13);
        SubtractColumn128(c + 4 * ldc, v, c04, c14);
        SubtractColumn128(c + 5 * ldc, v, c05, c15);
        SubtractColumn128(c + 6 * ldc, v, c06, c16);
        SubtractColumn128(c + 7 * ldc, v, c07, c17);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SubtractColumn128(T* column, int v, Vector128<T> top, Vector128<T> bottom)
    {
        Vector128.Store(Vector128.Load(column) - top, column);
        Vector128.Store(Vector128.Load(column + v) - bottom, column + v);
    }
}

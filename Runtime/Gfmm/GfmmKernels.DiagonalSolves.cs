using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using GenLu.Kernels;

namespace GenLu.Gfmm;

/// <summary>Solves with the LU factors of a diagonal block G_i on a P x count panel.</summary>
internal static unsafe partial class GfmmKernels
{
    /// <summary>
    /// Solves <c>op(G) z = r</c> in place on the P x count panel <paramref name="z"/>, from the packed
    /// factors of G (DiagonalBlockFactors: unit L below the diagonal, U on and above, row swaps <paramref name="pivots"/>):
    /// <c>G = Pᵀ L U</c>, so <c>G z = r</c> is swaps, then L, then U; <c>Gᵀ z = r</c> is Uᵀ, then Lᵀ,
    /// then the swaps undone in reverse order. <paramref name="luTransposed"/> holds the same factors
    /// transposed, so that a single vector can always be solved in row (dot-product) form.
    /// </summary>
    public static void LuSolve<T>(ReadOnlySpan<T> lu, ReadOnlySpan<T> luTransposed, ReadOnlySpan<int> pivots, bool transpose,
        Span<T> z, int p, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // All three pinned: the pointer level-1 kernels of GenLu.Kernels read the factors and the panel through their addresses.
        fixed (T* luPointer = lu)
        fixed (T* luTransposedPointer = luTransposed)
        fixed (T* zPointer = z)
            LuSolvePinned(lu, luTransposed, pivots, transpose, ref *zPointer, p, count);
    }

    private static void LuSolvePinned<T>(ReadOnlySpan<T> lu, ReadOnlySpan<T> luTransposed, ReadOnlySpan<int> pivots, bool transpose,
        ref T zRef, int p, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!transpose)
            for (int k = 0; k < p; k++) SwapRows(ref zRef, k, pivots[k], count);
        if (count == 1)
        {
            // Row k of Uᵀ and Lᵀ is row k of the transposed factors: the same sweeps, dividing by the
            // diagonal in the forward sweep (Uᵀ) instead of the backward one (U).
            ref T factors = ref MemoryMarshal.GetReference(ReadsTransposedFactors<T>(transpose, p, count) ? luTransposed : lu);
            // Column k of op(G)'s triangles is row k of the storage the register sweeps read; the row form reads rows.
            if (FitsRegisters<T>(p)) RegisterSubstitution(ref factors, ref zRef, p, divideForward: transpose);
            else BlockedSubstitution(ref factors, ref zRef, p, divideForward: transpose);
        }
        else
        {
            // Column blocks of four Vector512 widths (64 floats, 32 doubles) first (row form, accumulators in registers),
            // the rest with row operations on the remaining columns. Both apply the same operations in the same order.
            int first = Vector512.IsHardwareAccelerated ? count - count % (4 * Vector512<T>.Count) : 0;
            if (first > 0)
            {
                ref T rows = ref MemoryMarshal.GetReference(ReadsTransposedFactors<T>(transpose, p, count) ? luTransposed : lu);
                SubstituteBlocks512(ref rows, ref zRef, p, count, first, ascending: true, divide: transpose);
                SubstituteBlocks512(ref rows, ref zRef, p, count, first, ascending: false, divide: !transpose);
            }
            if (first < count) RowOperations(lu, transpose, ref Unsafe.Add(ref zRef, first), p, count, count - first);
        }
        if (transpose)
            for (int k = p - 1; k >= 0; k--) SwapRows(ref zRef, k, pivots[k], count);
    }

    /// <summary>
    /// One triangular sweep over the first <paramref name="blockEnd"/> columns (a multiple of four Vector512 widths) of the P x count
    /// panel, in row form: row i = (row i − Σ rows[i, k] · row k) (· 1 / rows[i, i] if <paramref name="divide"/>),
    /// k over the rows already solved, in the order the row operations would apply them (ascending sweeps: k
    /// ascending; descending sweeps: k descending), so the result is bit for bit that of <see cref="RowOperations"/>.
    /// Four Vector512 accumulators per row stay in registers; only the finished row is stored.
    /// </summary>
    private static void SubstituteBlocks512<T>(ref T rows, ref T z, int p, int count, int blockEnd, bool ascending, bool divide)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nuint width = (nuint)Vector512<T>.Count;
        for (int j = 0; j < blockEnd; j += 4 * Vector512<T>.Count)
            for (int step = 0; step < p; step++)
            {
                int i = ascending ? step : p - 1 - step;
                ref T target = ref Unsafe.Add(ref z, i * count + j);
                ref T row = ref Unsafe.Add(ref rows, i * p);
                var a0 = Vector512.LoadUnsafe(ref target);
                var a1 = Vector512.LoadUnsafe(ref target, width);
                var a2 = Vector512.LoadUnsafe(ref target, 2 * width);
                var a3 = Vector512.LoadUnsafe(ref target, 3 * width);
                for (int solved = 0; solved < step; solved++)
                {
                    int k = ascending ? solved : p - 1 - solved;
                    var c = Vector512.Create(-Unsafe.Add(ref row, k));
                    ref T source = ref Unsafe.Add(ref z, k * count + j);
                    a0 = Simd.Fma(c, Vector512.LoadUnsafe(ref source), a0);
                    a1 = Simd.Fma(c, Vector512.LoadUnsafe(ref source, width), a1);
                    a2 = Simd.Fma(c, Vector512.LoadUnsafe(ref source, 2 * width), a2);
                    a3 = Simd.Fma(c, Vector512.LoadUnsafe(ref source, 3 * width), a3);
                }
                if (divide)
                {
                    var inverse = Vector512.Create(T.One / Unsafe.Add(ref row, i));
                    a0 *= inverse;
                    a1 *= inverse;
                    a2 *= inverse;
                    a3 *= inverse;
                }
                a0.StoreUnsafe(ref target);
                a1.StoreUnsafe(ref target, width);
                a2.StoreUnsafe(ref target, 2 * width);
                a3.StoreUnsafe(ref target, 3 * width);
            }
    }

    /// <summary>
    /// Both sweeps as row operations on <paramref name="width"/> columns of every panel row (rows
    /// <paramref name="count"/> apart), vectorized over the columns: op(G) with G's factors in
    /// <paramref name="lu"/>, after the row swaps.
    /// </summary>
    private static void RowOperations<T>(ReadOnlySpan<T> lu, bool transpose, ref T z, int p, int count, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T a = ref MemoryMarshal.GetReference(lu);
        if (!transpose)
        {
            for (int k = 0; k < p; k++)
                for (int r = k + 1; r < p; r++)
                    RowAxpy(-Unsafe.Add(ref a, r * p + k), ref z, k, r, count, width);
            for (int k = p - 1; k >= 0; k--)
            {
                StridedLevel1<T>.Scale(T.One / Unsafe.Add(ref a, k * p + k), Pinned(ref Unsafe.Add(ref z, k * count)), 1, width);
                for (int r = 0; r < k; r++)
                    RowAxpy(-Unsafe.Add(ref a, r * p + k), ref z, k, r, count, width);
            }
        }
        else
        {
            for (int k = 0; k < p; k++)
            {
                StridedLevel1<T>.Scale(T.One / Unsafe.Add(ref a, k * p + k), Pinned(ref Unsafe.Add(ref z, k * count)), 1, width);
                for (int j = k + 1; j < p; j++)
                    RowAxpy(-Unsafe.Add(ref a, k * p + j), ref z, k, j, count, width);
            }
            for (int k = p - 1; k > 0; k--)
                for (int j = 0; j < k; j++)
                    RowAxpy(-Unsafe.Add(ref a, k * p + j), ref z, k, j, count, width);
        }
    }

    /// <summary>
    /// Whether <see cref="LuSolve{T}"/> of <paramref name="count"/> vectors reads G's factors mainly from their transposed
    /// copy (else from the factors as stored), so that a caller prefetches the copy it will read: the one-vector register
    /// sweeps read columns, which are the other copy's rows; the row form and the panel sweeps read op(G)'s rows.
    /// </summary>
    public static bool ReadsTransposedFactors<T>(bool transpose, int p, int count) =>
        count == 1 && FitsRegisters<T>(p) ? !transpose : transpose;

    /// <summary>Whether one vector of P entries fits whole in at most four Vector512 registers (P = 32 float or double, 64 float).</summary>
    private static bool FitsRegisters<T>(int p) =>
        Vector512.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double))
        && p % Vector512<T>.Count == 0 && p <= 4 * Vector512<T>.Count;

    /// <summary>
    /// Forward then backward substitution of one vector held in registers, in column form: step k broadcasts the solved
    /// entry k (one permute) and subtracts column k times it from the entries still to solve (one FMA per register),
    /// so the dependency chain per step is a permute and an FMA (with a multiply by the reciprocal diagonal where the
    /// sweep divides), where the row form waited for a dot product's horizontal sum per row: at P = 32 a G_i solve (both
    /// sweeps) takes 530 ns in the row form, 8 of the 28 ms of the RBF solve at N = 262,144. Column k of the triangles is row k of <paramref name="columns"/>; the
    /// diagonal divides the forward sweep if <paramref name="divideForward"/> and the backward one otherwise. The
    /// operations and their order are those of <see cref="RowOperations"/> (an FMA per entry and column, a multiply by
    /// the diagonal's reciprocal), so one vector gets bit for bit what a panel column gets.
    /// </summary>
    private static void RegisterSubstitution<T>(ref T columns, ref T z, int p, bool divideForward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector512<T>.Count, registers = p / width;
        var z0 = Vector512.LoadUnsafe(ref z);
        var z1 = registers > 1 ? Vector512.LoadUnsafe(ref z, (nuint)width) : default;
        var z2 = registers > 2 ? Vector512.LoadUnsafe(ref z, (nuint)(2 * width)) : default;
        var z3 = registers > 3 ? Vector512.LoadUnsafe(ref z, (nuint)(3 * width)) : default;
        var lanes = Vector512<T>.Indices;
        for (int sweep = 0; sweep < 2; sweep++)
        {
            bool ascending = sweep == 0, divide = ascending == divideForward;
            // Register by register in the sweep's direction, so that the register holding the entry being solved is one
            // local (current) for all its lanes: no choice among the registers on the chain.
            for (int visited = 0; visited < registers; visited++)
            {
                int r = ascending ? visited : registers - 1 - visited;
                var current = r switch { 0 => z0, 1 => z1, 2 => z2, _ => z3 };
                // The reciprocal diagonal gathered lane by lane, off the chain: the register is scaled once all its lanes
                // are solved, by the same reciprocals their broadcast copies were scaled by.
                var reciprocals = Vector512<T>.One;
                for (int step = 0; step < width; step++)
                {
                    int lane = ascending ? step : width - 1 - step, k = r * width + lane;
                    ref T column = ref Unsafe.Add(ref columns, k * p);
                    var solved = Broadcast(current, lane);
                    var laneIndex = Vector512.Create(T.CreateTruncating(lane));
                    if (divide)
                    {
                        var reciprocal = Vector512.Create(T.One / Unsafe.Add(ref column, k));
                        solved *= reciprocal;
                        reciprocals = Vector512.ConditionalSelect(Vector512.Equals(lanes, laneIndex), reciprocal, reciprocals);
                    }
                    // In the current register only the lanes past k in the sweep's direction change; the other lanes'
                    // column entries become zeros, an exact no-op. The registers wholly past it change in every lane.
                    var toSolve = ascending ? Vector512.GreaterThan(lanes, laneIndex) : Vector512.LessThan(lanes, laneIndex);
                    current = Simd.Fma(Vector512.ConditionalSelect(toSolve, -Column(ref column, r), Vector512<T>.Zero), solved, current);
                    if (ascending)
                    {
                        if (r < 1 && registers > 1) z1 = Simd.Fma(-Column(ref column, 1), solved, z1);
                        if (r < 2 && registers > 2) z2 = Simd.Fma(-Column(ref column, 2), solved, z2);
                        if (r < 3 && registers > 3) z3 = Simd.Fma(-Column(ref column, 3), solved, z3);
                    }
                    else
                    {
                        if (r > 0) z0 = Simd.Fma(-Column(ref column, 0), solved, z0);
                        if (r > 1) z1 = Simd.Fma(-Column(ref column, 1), solved, z1);
                        if (r > 2) z2 = Simd.Fma(-Column(ref column, 2), solved, z2);
                    }
                }
                if (divide) current *= reciprocals;
                switch (r)
                {
                    case 0: z0 = current; break;
                    case 1: z1 = current; break;
                    case 2: z2 = current; break;
                    default: z3 = current; break;
                }
            }
        }
        z0.StoreUnsafe(ref z);
        if (registers > 1) z1.StoreUnsafe(ref z, (nuint)width);
        if (registers > 2) z2.StoreUnsafe(ref z, (nuint)(2 * width));
        if (registers > 3) z3.StoreUnsafe(ref z, (nuint)(3 * width));
    }

    /// <summary>Register <paramref name="register"/>'s part of a column (a row of the storage the sweeps read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Column<T>(ref T column, int register)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.LoadUnsafe(ref column, (nuint)(register * Vector512<T>.Count));

    /// <summary>Every lane set to lane <paramref name="lane"/> of <paramref name="vector"/> (one vpermps / vpermpd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Broadcast<T>(Vector512<T> vector, int lane)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Avx512F.PermuteVar16x32(vector.AsSingle(), Vector512.Create(lane)).As<float, T>();
        return Avx512F.PermuteVar8x64(vector.AsDouble(), Vector512.Create((long)lane)).As<double, T>();
    }

    /// <summary>
    /// Forward then backward substitution of one vector with the triangles of the row-major P x P
    /// <paramref name="rows"/> (strictly lower part, then upper part), the diagonal used by the forward
    /// sweep if <paramref name="divideForward"/> and by the backward sweep otherwise (the other is unit).
    /// Blocked by the vector width: the coupling to already solved blocks is a set of independent SIMD
    /// dot products, and only the small triangle inside each block is a serial scalar recurrence.
    /// </summary>
    private static void BlockedSubstitution<T>(ref T rows, ref T z, int p, bool divideForward)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int block = Math.Max(4, Vector<T>.Count);
        for (int first = 0; first < p; first += block)
        {
            int end = Math.Min(first + block, p);
            for (int r = first; r < end; r++)
            {
                ref T row = ref Unsafe.Add(ref rows, r * p);
                T value = Unsafe.Add(ref z, r) - StridedLevel1<T>.Dot(Pinned(ref row), 1, Pinned(ref z), 1, first);
                for (int j = first; j < r; j++) value -= Unsafe.Add(ref row, j) * Unsafe.Add(ref z, j);
                Unsafe.Add(ref z, r) = divideForward ? value / Unsafe.Add(ref row, r) : value;
            }
        }
        for (int end = p; end > 0; end -= block)
        {
            int first = Math.Max(end - block, 0);
            for (int r = end - 1; r >= first; r--)
            {
                ref T row = ref Unsafe.Add(ref rows, r * p);
                T value = Unsafe.Add(ref z, r) - StridedLevel1<T>.Dot(Pinned(ref Unsafe.Add(ref row, end)), 1, Pinned(ref Unsafe.Add(ref z, end)), 1, p - end);
                for (int j = r + 1; j < end; j++) value -= Unsafe.Add(ref row, j) * Unsafe.Add(ref z, j);
                Unsafe.Add(ref z, r) = divideForward ? value : value / Unsafe.Add(ref row, r);
            }
        }
    }

    /// <summary>Panel row <paramref name="target"/> += alpha · panel row <paramref name="source"/> over the first width columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowAxpy<T>(T alpha, ref T z, int source, int target, int count, int width)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        StridedLevel1<T>.Axpy(alpha, Pinned(ref Unsafe.Add(ref z, source * count)), 1, Pinned(ref Unsafe.Add(ref z, target * count)), 1, width);

    private static void SwapRows<T>(ref T z, int row, int other, int count)
    {
        if (row == other) return;
        ref T a = ref Unsafe.Add(ref z, row * count);
        ref T b = ref Unsafe.Add(ref z, other * count);
        for (int i = 0; i < count; i++) (Unsafe.Add(ref a, i), Unsafe.Add(ref b, i)) = (Unsafe.Add(ref b, i), Unsafe.Add(ref a, i));
    }
}

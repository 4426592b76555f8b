using System.Globalization;

namespace GenLu.Generator.Emit;

/// <summary>
/// The G_i solve of a full panel of 16 float vectors with the vectors in the lanes (<c>LuSolveLanes</c>): each 16 × 16
/// block of the panel (16 vectors' entries 16c … 16c + 15) is transposed in place, so register j of a block holds entry
/// 16c + j of all 16 vectors, the row swaps become whole-register swaps, and every step of the sweeps is one fused
/// multiply-add with a broadcast factor entry: P² multiply-adds per 16 vectors, against the wide sweeps'
/// (<see cref="RegisterSweepEmitter.EmitWideSweeps"/>) permute per step and vector, their zero-padded chunks and their
/// scalar row swaps. Measured at N = 4,096 (docs/benchmarks/generated-solve.md, session 12).
/// <para>Each entry sees the wide sweep's operations in the same order — forward: <c>z_i − l_ik z_k</c> for k ascending;
/// backward on unscaled values: <c>z_i + (u_ik · (−1/u_kk)) z_k</c> for k descending; then <c>z_i · (1/u_ii)</c> — so the
/// results are the wide sweep's bit for bit, except that the padding's <c>± 0</c> terms the wide sweep adds can turn a
/// <c>−0</c> into <c>+0</c>.</para>
/// </summary>
internal static class LaneSweepEmitter
{
    private const string Intrinsics = SimdHelperEmitter.Intrinsics;
    private const string Unsafe = SimdHelperEmitter.Unsafe;
    private const string V = Intrinsics + "Vector512";
    private const string Avx512 = Intrinsics + "X86.Avx512F";

    /// <summary>The vectors in a register: 16 floats.</summary>
    internal const int Lanes = 16;

    /// <summary>Whether the panel G_i solve has the lane form: float, P a multiple of 16 up to 32 (the domain of the wide
    /// sweeps, whose code grows with P²). Double panels keep the wide sweeps.</summary>
    internal static bool Applies(int p, ElementType element) => element.ByteSize == 4 && p % Lanes == 0 && p <= 32;

    /// <summary>Emits <c>LuSolveLanes</c> and the in-place 16 × 16 transpose it uses.</summary>
    public static void Emit(CodeWriter writer, int p, ElementType element, string parameters)
    {
        int blocks = p / Lanes;
        writer.Line($"/// <summary><c>v_r = G⁻¹ v_r</c> for {I(Lanes)} vectors <paramref name=\"stride\"/> apart, the vectors in the lanes (see the emitter's class comment).</summary>");
        writer.Open($"private static void LuSolveLanes({parameters})");
        DiagonalSolveEmitter.EmitLuPrologue(writer, element);
        writer.Line("global::System.Span<float> scaledColumns = stackalloc float[TensorSize];");
        for (int b = 0; b < blocks; b++) writer.Line($"TransposeLanes(ref {Unsafe}.Add(ref z, {I(Lanes * b)}), stride);");
        writer.Lines($$"""
            // getrs's row swaps, in order: now whole registers (row i is at (i mod 16) · stride + 16 · (i / 16)).
            for (int k = 0; k < P; k++)
            {
                int swap = ipiv[k];
                if (swap == k) continue;
                ref float first = ref {{Unsafe}}.Add(ref z, (k & {{I(Lanes - 1)}}) * stride + (k & ~{{I(Lanes - 1)}}));
                ref float second = ref {{Unsafe}}.Add(ref z, (swap & {{I(Lanes - 1)}}) * stride + (swap & ~{{I(Lanes - 1)}}));
                var row = {{V}}.LoadUnsafe(ref first);
                {{V}}.StoreUnsafe({{V}}.LoadUnsafe(ref second), ref first);
                {{V}}.StoreUnsafe(row, ref second);
            }
            """);
        for (int j = 0; j < Lanes; j++)
            writer.Line($"ref float row{I(j)} = ref {(j == 0 ? "z" : $"{Unsafe}.Add(ref row{I(j - 1)}, stride)")};");

        string Row(int i) => $"ref row{I(i % Lanes)}, {I(i / Lanes * Lanes)}";
        string Z(int i) => $"z{I(i % Lanes)}";
        bool declared = false;
        void Load(int block)
        {
            for (int j = 0; j < Lanes; j++) writer.Line($"{(declared ? "" : "var ")}{Z(j)} = {V}.LoadUnsafe({Row(block * Lanes + j)});");
            declared = true;
        }
        void Store(int block, string? scaled)
        {
            for (int j = 0; j < Lanes; j++)
            {
                int i = block * Lanes + j;
                string value = scaled is null ? Z(i) : $"{Z(i)} * {V}.Create({Unsafe}.Add(ref {scaled}, {I(i)}))";
                writer.Line($"{V}.StoreUnsafe({value}, {Row(i)});");
            }
        }
        // One step: entry i of every vector gets factor(k, i) times entry k (from its register, or loaded into t).
        void Step(int k, int firstRow, int endRow, bool fromRegister, bool forward)
        {
            if (firstRow >= endRow) return;
            string source = fromRegister ? Z(k) : "t";
            if (!fromRegister) writer.Line($"t = {V}.LoadUnsafe({Row(k)});");
            for (int i = firstRow; i < endRow; i++)
                writer.Line(forward ? $"{Z(i)} = LaneSubtract(ref l, {I(k * p + i)}, {source}, {Z(i)});" : $"{Z(i)} = LaneAdd(ref c, {I(k * p + i)}, {source}, {Z(i)});");
        }

        if (blocks > 1) writer.Line($"{V}<float> t;");
        writer.Line("// Unit-lower forward sweep, block by block: the earlier blocks' final rows, then the block's own triangle.");
        for (int b = 0; b < blocks; b++)
        {
            int first = b * Lanes, end = first + Lanes;
            Load(b);
            for (int k = 0; k < first; k++) Step(k, first, end, fromRegister: false, forward: true);
            for (int k = first; k < end - 1; k++) Step(k, k + 1, end, fromRegister: true, forward: true);
            if (b < blocks - 1) Store(b, scaled: null);
        }
        writer.Lines($$"""
            // U's columns times −1/u_kk: the factors of the backward sweep, formed as the wide sweep forms them (here, after the
            // forward sweep, the loads of U overlap its last multiply-adds).
            ref float c = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(scaledColumns);
            for (int k = 1; k < P; k++)
            {
                var scale = {{V}}.Create(-{{Unsafe}}.Add(ref d, k));
                for (int i = 0; i < k; i += {{I(Lanes)}}) {{V}}.StoreUnsafe({{V}}.LoadUnsafe(ref u, (nuint)(k * P + i)) * scale, ref c, (nuint)(k * P + i));
            }
            """);
        writer.Line("// Upper backward sweep on unscaled values, last block first: the later blocks' rows, then the block's own triangle.");
        for (int b = blocks - 1; b >= 0; b--)
        {
            int first = b * Lanes, end = first + Lanes;
            if (b < blocks - 1) Load(b);
            for (int k = p - 1; k >= end; k--) Step(k, first, end, fromRegister: false, forward: false);
            for (int k = end - 1; k > first; k--) Step(k, first, k, fromRegister: true, forward: false);
            Store(b, scaled: b == 0 ? "d" : null);
        }
        writer.Line("// U's diagonal for the blocks stored unscaled (block 0 was scaled on its way out), then back to one vector per row.");
        for (int b = 1; b < blocks; b++)
        {
            Load(b);
            Store(b, scaled: "d");
        }
        for (int b = 0; b < blocks; b++) writer.Line($"TransposeLanes(ref {Unsafe}.Add(ref z, {I(Lanes * b)}), stride);");
        writer.Close();
        writer.Line();
        EmitStepHelpers(writer);
        EmitTranspose(writer);
    }

    /// <summary>The two steps of the sweeps, one multiply-add with a broadcast factor each, fused exactly where the other
    /// kernels' <c>MultiplyAdd</c> is (so that the results stay theirs bit for bit). Inlined: the index is a constant at every
    /// call, and the JIT folds the broadcast into the multiply-add's memory operand.</summary>
    private static void EmitStepHelpers(CodeWriter writer)
    {
        const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";
        string Factor = $"{V}.Create({Unsafe}.Add(ref factors, index))";
        writer.Lines($$"""
            /// <summary><c>z − factors[index] · row</c>.</summary>
            {{Inline}}
            private static {{V}}<float> LaneSubtract(ref float factors, int index, {{V}}<float> row, {{V}}<float> z)
            {
            #if NET9_0_OR_GREATER
                return {{Avx512}}.FusedMultiplyAddNegated({{Factor}}, row, z);
            #else
                return z - {{Factor}} * row;
            #endif
            }

            /// <summary><c>z + factors[index] · row</c>.</summary>
            {{Inline}}
            private static {{V}}<float> LaneAdd(ref float factors, int index, {{V}}<float> row, {{V}}<float> z)
            {
            #if NET9_0_OR_GREATER
                return {{Avx512}}.FusedMultiplyAdd({{Factor}}, row, z);
            #else
                return {{Factor}} * row + z;
            #endif
            }

            """);
    }

    /// <summary>
    /// The in-place transpose of 16 rows of 16 floats (row r at <c>r · stride</c>): 32-bit interleaves of row pairs,
    /// 64-bit pairs of those (lane L of u_{4q+m} is column 4L + m of rows 4q … 4q + 3), then two rounds of 128-bit lane
    /// shuffles that gather each column's four quarters.
    /// </summary>
    private static void EmitTranspose(CodeWriter writer)
    {
        writer.Line("/// <summary>Transposes in place the 16 × 16 floats whose rows start <paramref name=\"stride\"/> apart.</summary>");
        writer.Open("private static void TransposeLanes(ref float first, int stride)");
        for (int r = 0; r < Lanes; r++) writer.Line($"var r{I(r)} = {V}.LoadUnsafe(ref first, (nuint)({I(r)} * stride));");
        for (int j = 0; j < Lanes / 2; j++)
        {
            writer.Line($"var t{I(2 * j)} = {Avx512}.UnpackLow(r{I(2 * j)}, r{I(2 * j + 1)});");
            writer.Line($"var t{I(2 * j + 1)} = {Avx512}.UnpackHigh(r{I(2 * j)}, r{I(2 * j + 1)});");
        }
        // Each later round combines two registers twice, by a low and a high control.
        void Pair(string operation, string a, string b, string lowControl, string highControl, string lowTarget, string highTarget, bool store)
        {
            foreach (var (control, target) in new[] { (lowControl, lowTarget), (highControl, highTarget) })
            {
                string value = $"{Avx512}.{operation}({a}, {b}, {control})";
                writer.Line(store ? $"{V}.StoreUnsafe({value}, ref first, (nuint)({target} * stride));" : $"var {target} = {value};");
            }
        }
        for (int q = 0; q < 4; q++)
        {
            Pair("Shuffle", $"t{I(4 * q)}", $"t{I(4 * q + 2)}", "0x44", "0xEE", $"u{I(4 * q)}", $"u{I(4 * q + 1)}", store: false);
            Pair("Shuffle", $"t{I(4 * q + 1)}", $"t{I(4 * q + 3)}", "0x44", "0xEE", $"u{I(4 * q + 2)}", $"u{I(4 * q + 3)}", store: false);
        }
        for (int m = 0; m < 4; m++)
        {
            Pair("Shuffle4x128", $"u{I(m)}", $"u{I(4 + m)}", "0x44", "0xEE", $"v{I(4 * m)}", $"v{I(4 * m + 1)}", store: false);
            Pair("Shuffle4x128", $"u{I(8 + m)}", $"u{I(12 + m)}", "0x44", "0xEE", $"v{I(4 * m + 2)}", $"v{I(4 * m + 3)}", store: false);
        }
        for (int m = 0; m < 4; m++)
        {
            Pair("Shuffle4x128", $"v{I(4 * m)}", $"v{I(4 * m + 2)}", "0x88", "0xDD", I(m), I(4 + m), store: true);
            Pair("Shuffle4x128", $"v{I(4 * m + 1)}", $"v{I(4 * m + 3)}", "0x88", "0xDD", I(8 + m), I(12 + m), store: true);
        }
        writer.Close();
        writer.Line();
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

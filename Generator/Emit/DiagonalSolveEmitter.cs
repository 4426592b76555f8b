using System.Globalization;

namespace GenLu.Generator.Emit;

/// <summary>
/// The solves with the G_i's LU factors of a generated solver: the one-vector <c>LuSolveSingle</c> and
/// <c>LuSolveTransposedSingle</c>, and the panel <c>LuSolve</c> (wide and interleaved register sweeps for groups of
/// vectors, see <see cref="RegisterSweepEmitter"/>) and <c>LuSolveTransposed</c> (vector by vector). The LU factors
/// are embedded as zero-padded column-major triangles, so the triangular sweeps are whole-vector updates.
/// </summary>
internal static class DiagonalSolveEmitter
{
    private const string Intrinsics = SimdHelperEmitter.Intrinsics;
    private const string Unsafe = SimdHelperEmitter.Unsafe;

    /// <summary>The panel solves the printed schedules call.</summary>
    public static void EmitPanelSolves(CodeWriter writer, int p, ElementType element)
    {
        EmitLuSolve(writer, p, element);
        PanelProductEmitter.EmitVectorByVector(writer, "LuSolveTransposed", "<c>v_r = G⁻ᵀ v_r</c> for every vector of the panel",
            $"{element.ReadOnlySpan} triangles, {element.ReadOnlySpan} inverseDiagonal, global::System.ReadOnlySpan<int> ipiv, {element.Span} v, int stride, int count",
            "LuSolveTransposedSingle(triangles, inverseDiagonal, ipiv, v.Slice(r * stride, P))");
    }

    /// <summary>The one-vector solves the panel solves fall back to.</summary>
    public static void EmitSingleSolves(CodeWriter writer, int p, ElementType element) => EmitLuSolves(writer, p, element);

    /// <summary><c>v_r = G⁻¹ v_r</c> for the panel: sixteen float vectors at a time in the lanes (<see cref="LaneSweepEmitter"/>) where
    /// that applies, eight (four for P = 32 doubles) at a time through the wide sweeps, then four
    /// through the interleaved register sweeps (<see cref="RegisterSweepEmitter.InterleavedSweeps"/>), the rest one by one.</summary>
    private static void EmitLuSolve(CodeWriter writer, int p, ElementType element)
    {
        int interleaved = RegisterSweepEmitter.InterleavedSweeps(p, element), wide = RegisterSweepEmitter.WideSweeps(p, element);
        string Parameters = $"{element.ReadOnlySpan} triangles, {element.ReadOnlySpan} inverseDiagonal, global::System.ReadOnlySpan<int> ipiv, {element.Span} v, int stride";
        writer.Line("/// <summary><c>v_r = G⁻¹ v_r</c> for <paramref name=\"count\"/> vectors, v_r at <c>r · stride</c>.</summary>");
        writer.Open($"private static void LuSolve({Parameters}, int count)");
        writer.Line("int r = 0;");
        bool lanes = LaneSweepEmitter.Applies(p, element);
        if (lanes)
            writer.Line($"if ({Intrinsics}X86.Avx512F.IsSupported) for (; r + {I(LaneSweepEmitter.Lanes)} <= count; r += {I(LaneSweepEmitter.Lanes)}) LuSolveLanes(triangles, inverseDiagonal, ipiv, v.Slice(r * stride), stride);");
        if (wide > 1)
            writer.Line($"if ({Intrinsics}Vector512.IsHardwareAccelerated) for (; r + {I(wide)} <= count; r += {I(wide)}) LuSolveWide(triangles, inverseDiagonal, ipiv, v.Slice(r * stride), stride);");
        if (interleaved > 1)
            writer.Line($"if ({Intrinsics}Vector256.IsHardwareAccelerated) for (; r + {I(interleaved)} <= count; r += {I(interleaved)}) LuSolveInterleaved(triangles, inverseDiagonal, ipiv, v.Slice(r * stride), stride);");
        writer.Line("for (; r < count; r++) LuSolveSingle(triangles, inverseDiagonal, ipiv, v.Slice(r * stride, P));");
        writer.Close();
        writer.Line();

        void EmitPanelSolve(string name, int vectors, string summary, System.Action sweeps)
        {
            writer.Line($"/// <summary>{summary}</summary>");
            writer.Open($"private static void {name}({Parameters})");
            EmitPanelPrologue(writer, vectors, element);
            sweeps();
            writer.Close();
            writer.Line();
        }

        if (interleaved > 1)
            EmitPanelSolve("LuSolveInterleaved", interleaved,
                $"<see cref=\"LuSolveSingle\"/> for {I(interleaved)} vectors <paramref name=\"stride\"/> apart, their sweeps interleaved step by step.",
                () => RegisterSweepEmitter.EmitRegisterSweeps(writer, p, element, transposed: false, vectors: interleaved));
        if (wide > 1)
            EmitPanelSolve("LuSolveWide", wide,
                $"<c>v_r = G⁻¹ v_r</c> for {I(wide)} vectors <paramref name=\"stride\"/> apart (see the emitter's EmitWideSweeps).",
                () => RegisterSweepEmitter.EmitWideSweeps(writer, p, element, wide));
        if (lanes) LaneSweepEmitter.Emit(writer, p, element, Parameters);
    }

    private static void EmitPanelPrologue(CodeWriter writer, int vectors, ElementType element)
    {
        // getrs's row swaps for all vectors at once: one test per pivot, not one per pivot and vector.
        writer.Lines($$"""
            for (int k = 0; k < P; k++)
            {
                int swap = ipiv[k];
                if (swap == k) continue;
                for (int r = 0; r < {{I(vectors)}}; r++)
                {
                    var row = v.Slice(r * stride, P);
                    (row[k], row[swap]) = (row[swap], row[k]);
                }
            }
            """);
        EmitLuPrologue(writer, element);
        for (int r = 0; r < vectors; r++)
            writer.Line($"ref {element.Keyword} v{I(r)} = ref {(r == 0 ? "z" : $"{Unsafe}.Add(ref v{I(r - 1)}, stride)")};");
    }

    /// <summary>
    /// The two solves with G_i's LU factors (P·G = L·U, LAPACK's zero-based ipiv: rows k and ipiv[k] swapped in
    /// order). The factors come as column-major strict triangles padded with zeros plus U's inverted diagonal, so each
    /// column step is whole-vector arithmetic from the vector holding its first non-zero to the end (the zeros make
    /// the extra lanes exact no-ops); a scalar tail covers P mod the width.
    /// </summary>
    private static void EmitLuSolves(CodeWriter writer, int p, ElementType element)
    {
        string t = element.Keyword;
        var (type, width) = p >= element.Lanes(256) ? ("Vector256", element.Lanes(256)) : p >= element.Lanes(128) ? ("Vector128", element.Lanes(128)) : ("", 0);
        int full = width == 0 ? 0 : p / width * width;
        string v = Intrinsics + type;
        string Ref(string name, string index) => $"{Unsafe}.Add(ref {name}, {index})";

        writer.Lines($$"""
            /// <summary>The row swaps of getrs, in order: row k with row ipiv[k].</summary>
            private static void SwapRows(global::System.ReadOnlySpan<int> ipiv, {{element.Span}} v)
            {
                for (int k = 0; k < P; k++)
                {
                    int swap = ipiv[k];
                    if (swap != k) (v[k], v[swap]) = (v[swap], v[k]);
                }
            }

            """);
        writer.Line("/// <summary>Overwrites <paramref name=\"v\"/> with <c>G⁻¹ v</c> (getrs, no transpose): row swaps, unit-lower forward sweep, upper backward sweep.</summary>");
        writer.Open($"private static void LuSolveSingle({element.ReadOnlySpan} triangles, {element.ReadOnlySpan} inverseDiagonal, global::System.ReadOnlySpan<int> ipiv, {element.Span} v)");
        EmitLuPrologue(writer, element);
        writer.Line("SwapRows(ipiv, v);");
        bool unrolled = RegisterSweepEmitter.UsesRegisterSweeps(p, element);
        if (RegisterSweepEmitter.WideSweeps(p, element) > 1)
        {
            // The wide sweeps' shorter chain per step (a permute and an FMA) pays off for one vector too.
            writer.Open($"if ({Intrinsics}Vector512.IsHardwareAccelerated)");
            writer.Line($"ref {t} v0 = ref z;");
            RegisterSweepEmitter.EmitWideSweeps(writer, p, element, vectors: 1);
            writer.Line("return;");
            writer.Close();
        }
        if (unrolled)
        {
            writer.Open($"if ({Intrinsics}Vector256.IsHardwareAccelerated)");
            RegisterSweepEmitter.EmitRegisterSweeps(writer, p, element, transposed: false);
            writer.Line("return;");
            writer.Close();
        }
        else if (width > 0)
        {
            writer.Lines($$"""
                if ({{v}}.IsHardwareAccelerated)
                {
                    for (int k = 0; k < P - 1; k++)
                    {
                        {{t}} factor = {{Ref("z", "k")}};
                        var factors = {{v}}.Create(factor);
                        int i = (k + 1) / {{I(width)}} * {{I(width)}};
                        for (; i < {{I(full)}}; i += {{I(width)}})
                            {{v}}.StoreUnsafe({{v}}.LoadUnsafe(ref z, (nuint)i) - {{v}}.LoadUnsafe(ref l, (nuint)(k * P + i)) * factors, ref z, (nuint)i);
                        for (; i < P; i++) {{Ref("z", "i")}} -= {{Ref("l", "k * P + i")}} * factor;
                    }
                    for (int k = P - 1; k >= 0; k--)
                    {
                        {{t}} factor = {{Ref("z", "k")}} *= {{Ref("d", "k")}};
                        var factors = {{v}}.Create(factor);
                        int i = 0, end = global::System.Math.Min((k + {{I(width - 1)}}) / {{I(width)}} * {{I(width)}}, {{I(full)}});
                        for (; i < end; i += {{I(width)}})
                            {{v}}.StoreUnsafe({{v}}.LoadUnsafe(ref z, (nuint)i) - {{v}}.LoadUnsafe(ref u, (nuint)(k * P + i)) * factors, ref z, (nuint)i);
                        for (; i < k; i++) {{Ref("z", "i")}} -= {{Ref("u", "k * P + i")}} * factor;
                    }
                    return;
                }
                """);
        }
        writer.Lines($$"""
            for (int k = 0; k < P - 1; k++)
            {
                {{t}} factor = {{Ref("z", "k")}};
                for (int i = k + 1; i < P; i++) {{Ref("z", "i")}} -= {{Ref("l", "k * P + i")}} * factor;
            }
            for (int k = P - 1; k >= 0; k--)
            {
                {{t}} factor = {{Ref("z", "k")}} *= {{Ref("d", "k")}};
                for (int i = 0; i < k; i++) {{Ref("z", "i")}} -= {{Ref("u", "k * P + i")}} * factor;
            }
            """);
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>Overwrites <paramref name=\"v\"/> with <c>G⁻ᵀ v</c> (getrs, transpose): Uᵀ forward, Lᵀ backward, then the swaps in reverse.</summary>");
        writer.Open($"private static void LuSolveTransposedSingle({element.ReadOnlySpan} triangles, {element.ReadOnlySpan} inverseDiagonal, global::System.ReadOnlySpan<int> ipiv, {element.Span} v)");
        EmitLuPrologue(writer, element);
        bool vectorBranch = unrolled || width > 0;
        if (unrolled)
        {
            writer.Open($"if ({Intrinsics}Vector256.IsHardwareAccelerated)");
            RegisterSweepEmitter.EmitRegisterSweeps(writer, p, element, transposed: true);
            writer.Close();
        }
        else if (width > 0)
        {
            writer.Lines($$"""
                if ({{v}}.IsHardwareAccelerated)
                {
                    for (int k = 0; k < P; k++)
                    {
                        var sum = {{v}}<{{t}}>.Zero;
                        int i = 0, end = global::System.Math.Min((k + {{I(width - 1)}}) / {{I(width)}} * {{I(width)}}, {{I(full)}});
                        for (; i < end; i += {{I(width)}})
                            sum += {{v}}.LoadUnsafe(ref u, (nuint)(k * P + i)) * {{v}}.LoadUnsafe(ref z, (nuint)i);
                        {{t}} total = {{v}}.Sum(sum);
                        for (; i < k; i++) total += {{Ref("u", "k * P + i")}} * {{Ref("z", "i")}};
                        {{Ref("z", "k")}} = ({{Ref("z", "k")}} - total) * {{Ref("d", "k")}};
                    }
                    for (int k = P - 2; k >= 0; k--)
                    {
                        var sum = {{v}}<{{t}}>.Zero;
                        int i = (k + 1) / {{I(width)}} * {{I(width)}};
                        for (; i < {{I(full)}}; i += {{I(width)}})
                            sum += {{v}}.LoadUnsafe(ref l, (nuint)(k * P + i)) * {{v}}.LoadUnsafe(ref z, (nuint)i);
                        {{t}} total = {{v}}.Sum(sum);
                        for (; i < P; i++) total += {{Ref("l", "k * P + i")}} * {{Ref("z", "i")}};
                        {{Ref("z", "k")}} -= total;
                    }
                }
                """);
        }
        if (vectorBranch) writer.Open("else");
        writer.Lines($$"""
            for (int k = 0; k < P; k++)
            {
                {{t}} total = 0;
                for (int i = 0; i < k; i++) total += {{Ref("u", "k * P + i")}} * {{Ref("z", "i")}};
                {{Ref("z", "k")}} = ({{Ref("z", "k")}} - total) * {{Ref("d", "k")}};
            }
            for (int k = P - 2; k >= 0; k--)
            {
                {{t}} total = 0;
                for (int i = k + 1; i < P; i++) total += {{Ref("l", "k * P + i")}} * {{Ref("z", "i")}};
                {{Ref("z", "k")}} -= total;
            }
            """);
        if (vectorBranch) writer.Close();
        writer.Lines("""
            for (int k = P - 1; k >= 0; k--)
            {
                int swap = ipiv[k];
                if (swap != k) (v[k], v[swap]) = (v[swap], v[k]);
            }
            """);
        writer.Close();
        writer.Line();
    }

    internal static void EmitLuPrologue(CodeWriter writer, ElementType element) => writer.Lines($$"""
        ref {{element.Keyword}} l = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(triangles);
        ref {{element.Keyword}} u = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref l, TensorSize);
        ref {{element.Keyword}} d = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(inverseDiagonal);
        ref {{element.Keyword}} z = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(v);
        """);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace GenLu.Generator.Emit;

/// <summary>
/// The P x P kernels of one generated solver, specialized for its constant P: every loop bound is a literal,
/// and only the vector widths that fit P are emitted (Vector512 for P ≥ 16, Vector256 for P ≥ 8, Vector128 for
/// P ≥ 4), each followed by a scalar tail only when P is not a multiple of the width. The branches test
/// <c>IsHardwareAccelerated</c>, a JIT-time constant, so the unused ones cost nothing.
/// <para>Weights are embedded transposed (column-major <c>W</c>), so <c>y += W x</c> — the direction every solve
/// and product uses — is a sum of contiguous columns kept in registers, and <c>y += Wᵀ x</c> is one dot product
/// per row. The LU factors are embedded as zero-padded column-major triangles, so the triangular sweeps are
/// whole-vector updates too.</para>
/// </summary>
internal static class KernelEmitter
{
    internal const string Intrinsics = "global::System.Runtime.Intrinsics.";
    internal const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

    public static void Emit(CodeWriter writer, int p)
    {
        EmitAddProduct(writer, p);
        EmitAddTransposedProduct(writer, p);
        EmitLuSolves(writer, p);
        // Every vector kernel (products, panel blocks, register sweeps) uses a width from Widths(p).
        foreach (var (type, _) in Widths(p)) EmitMultiplyAdd(writer, Intrinsics + type);
    }

    private static void EmitMultiplyAdd(CodeWriter writer, string v) => writer.Lines($$"""
        /// <summary><c>a · b + c</c>, fused where the framework exposes it (.NET 9 and later).</summary>
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static {{v}}<float> MultiplyAdd({{v}}<float> a, {{v}}<float> b, {{v}}<float> c)
        {
        #if NET9_0_OR_GREATER
            return {{v}}.FusedMultiplyAdd(a, b, c);
        #else
            return a * b + c;
        #endif
        }

        """);

    internal static (string Type, int Width)[] Widths(int minimumLength) =>
        minimumLength >= 16 ? [("Vector512", 16), ("Vector256", 8), ("Vector128", 4)]
        : minimumLength >= 8 ? [("Vector256", 8), ("Vector128", 4)]
        : minimumLength >= 4 ? [("Vector128", 4)]
        : [];

    private static void EmitAddProduct(CodeWriter writer, int p)
    {
        writer.Line("/// <summary><c>y += sign · W x</c> for one P x P tensor stored column-major (sign is ±1, so exact).</summary>");
        writer.Open("private static void AddProductSingle(global::System.ReadOnlySpan<float> transposedWeights, global::System.ReadOnlySpan<float> x, global::System.Span<float> y, float sign)");
        writer.Lines($$"""
            ref float w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(transposedWeights);
            ref float xs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref float ys = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
            """);
        foreach (var (type, width) in Widths(p))
        {
            int full = p / width * width;
            string v = Intrinsics + type;
            writer.Lines($$"""
                if ({{v}}.IsHardwareAccelerated)
                {
                    // Each chunk of y stays in registers while all P columns are added into it, as four partial
                    // sums: four independent FMA chains instead of one chain of P dependent additions.
                    for (int row = 0; row < {{I(full)}}; row += {{I(width)}})
                    {
                        var sum0 = {{v}}.LoadUnsafe(ref ys, (nuint)row);
                        var sum1 = {{v}}<float>.Zero;
                        var sum2 = {{v}}<float>.Zero;
                        var sum3 = {{v}}<float>.Zero;
                        int column = 0;
                        for (; column + 4 <= P; column += 4)
                        {
                            sum0 = MultiplyAdd({{v}}.LoadUnsafe(ref w, (nuint)(column * P + row)), {{v}}.Create(sign * {{Unsafe}}.Add(ref xs, column)), sum0);
                            sum1 = MultiplyAdd({{v}}.LoadUnsafe(ref w, (nuint)((column + 1) * P + row)), {{v}}.Create(sign * {{Unsafe}}.Add(ref xs, column + 1)), sum1);
                            sum2 = MultiplyAdd({{v}}.LoadUnsafe(ref w, (nuint)((column + 2) * P + row)), {{v}}.Create(sign * {{Unsafe}}.Add(ref xs, column + 2)), sum2);
                            sum3 = MultiplyAdd({{v}}.LoadUnsafe(ref w, (nuint)((column + 3) * P + row)), {{v}}.Create(sign * {{Unsafe}}.Add(ref xs, column + 3)), sum3);
                        }
                        for (; column < P; column++)
                            sum0 = MultiplyAdd({{v}}.LoadUnsafe(ref w, (nuint)(column * P + row)), {{v}}.Create(sign * {{Unsafe}}.Add(ref xs, column)), sum0);
                        {{v}}.StoreUnsafe((sum0 + sum1) + (sum2 + sum3), ref ys, (nuint)row);
                    }
                """);
            if (full < p) writer.Line($"    AddProductRows(ref w, ref xs, ref ys, sign, {I(full)});");
            writer.Lines("""
                    return;
                }
                """);
        }
        writer.Line("AddProductRows(ref w, ref xs, ref ys, sign, 0);");
        writer.Close();
        writer.Lines($$"""

            /// <summary>Scalar rows <c>firstRow … P-1</c> of <see cref="AddProductSingle"/>.</summary>
            private static void AddProductRows(ref float w, ref float xs, ref float ys, float sign, int firstRow)
            {
                for (int row = firstRow; row < P; row++)
                {
                    float sum = 0;
                    for (int column = 0; column < P; column++)
                        sum += {{Unsafe}}.Add(ref w, column * P + row) * {{Unsafe}}.Add(ref xs, column);
                    {{Unsafe}}.Add(ref ys, row) += sign * sum;
                }
            }

            """);
    }

    private static void EmitAddTransposedProduct(CodeWriter writer, int p)
    {
        writer.Line("/// <summary><c>y += sign · Wᵀ x</c> for one P x P tensor stored column-major: a dot product per output.</summary>");
        writer.Open("private static void AddTransposedProductSingle(global::System.ReadOnlySpan<float> transposedWeights, global::System.ReadOnlySpan<float> x, global::System.Span<float> y, float sign)");
        writer.Lines("""
            ref float w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(transposedWeights);
            ref float xs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref float ys = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
            """);
        var widths = Widths(p);
        if (widths.Length > 0)
        {
            var (type, width) = widths[0];
            string v = Intrinsics + type;
            int full = p / width * width;
            writer.Lines($$"""
                if ({{v}}.IsHardwareAccelerated)
                {
                    for (int row = 0; row < P; row++)
                    {
                        ref float column = ref {{Unsafe}}.Add(ref w, row * P);
                        var sum = {{v}}<float>.Zero;
                        for (int k = 0; k < {{I(full)}}; k += {{I(width)}})
                            sum += {{v}}.LoadUnsafe(ref column, (nuint)k) * {{v}}.LoadUnsafe(ref xs, (nuint)k);
                        float total = {{v}}.Sum(sum);
                """);
            if (full < p)
                writer.Line($"        for (int k = {I(full)}; k < P; k++) total += {Unsafe}.Add(ref column, k) * {Unsafe}.Add(ref xs, k);");
            writer.Lines($$"""
                        {{Unsafe}}.Add(ref ys, row) += sign * total;
                    }
                    return;
                }
                """);
        }
        writer.Lines($$"""
            for (int row = 0; row < P; row++)
            {
                float total = 0;
                for (int k = 0; k < P; k++) total += {{Unsafe}}.Add(ref w, row * P + k) * {{Unsafe}}.Add(ref xs, k);
                {{Unsafe}}.Add(ref ys, row) += sign * total;
            }
            """);
        writer.Close();
        writer.Line();
    }

    /// <summary>
    /// The two solves with G_i's LU factors (P·G = L·U, LAPACK's zero-based ipiv: rows k and ipiv[k] swapped in
    /// order). The factors come as column-major strict triangles padded with zeros plus U's inverted diagonal, so each
    /// column step is whole-vector arithmetic from the vector holding its first non-zero to the end (the zeros make
    /// the extra lanes exact no-ops); a scalar tail covers P mod the width.
    /// </summary>
    private static void EmitLuSolves(CodeWriter writer, int p)
    {
        var (type, width) = p >= 8 ? ("Vector256", 8) : p >= 4 ? ("Vector128", 4) : ("", 0);
        int full = width == 0 ? 0 : p / width * width;
        string v = Intrinsics + type;
        string Ref(string name, string index) => $"{Unsafe}.Add(ref {name}, {index})";

        writer.Lines("""
            /// <summary>The row swaps of getrs, in order: row k with row ipiv[k].</summary>
            private static void SwapRows(global::System.ReadOnlySpan<int> ipiv, global::System.Span<float> v)
            {
                for (int k = 0; k < P; k++)
                {
                    int swap = ipiv[k];
                    if (swap != k) (v[k], v[swap]) = (v[swap], v[k]);
                }
            }

            """);
        writer.Line("/// <summary>Overwrites <paramref name=\"v\"/> with <c>G⁻¹ v</c> (getrs, no transpose): row swaps, unit-lower forward sweep, upper backward sweep.</summary>");
        writer.Open("private static void LuSolveSingle(global::System.ReadOnlySpan<float> triangles, global::System.ReadOnlySpan<float> inverseDiagonal, global::System.ReadOnlySpan<int> ipiv, global::System.Span<float> v)");
        EmitLuPrologue(writer);
        writer.Line("SwapRows(ipiv, v);");
        bool unrolled = UsesRegisterSweeps(p);
        if (PanelKernelEmitter.WideSweeps(p) > 1)
        {
            // The wide sweeps' shorter chain per step (a permute and an FMA) pays off for one vector too.
            writer.Open($"if ({Intrinsics}Vector512.IsHardwareAccelerated)");
            writer.Line("ref float v0 = ref z;");
            PanelKernelEmitter.EmitWideSweeps(writer, p, vectors: 1);
            writer.Line("return;");
            writer.Close();
        }
        if (unrolled)
        {
            writer.Open($"if ({Intrinsics}Vector256.IsHardwareAccelerated)");
            EmitRegisterSweeps(writer, p, transposed: false);
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
                        float factor = {{Ref("z", "k")}};
                        var factors = {{v}}.Create(factor);
                        int i = (k + 1) / {{I(width)}} * {{I(width)}};
                        for (; i < {{I(full)}}; i += {{I(width)}})
                            {{v}}.StoreUnsafe({{v}}.LoadUnsafe(ref z, (nuint)i) - {{v}}.LoadUnsafe(ref l, (nuint)(k * P + i)) * factors, ref z, (nuint)i);
                        for (; i < P; i++) {{Ref("z", "i")}} -= {{Ref("l", "k * P + i")}} * factor;
                    }
                    for (int k = P - 1; k >= 0; k--)
                    {
                        float factor = {{Ref("z", "k")}} *= {{Ref("d", "k")}};
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
                float factor = {{Ref("z", "k")}};
                for (int i = k + 1; i < P; i++) {{Ref("z", "i")}} -= {{Ref("l", "k * P + i")}} * factor;
            }
            for (int k = P - 1; k >= 0; k--)
            {
                float factor = {{Ref("z", "k")}} *= {{Ref("d", "k")}};
                for (int i = 0; i < k; i++) {{Ref("z", "i")}} -= {{Ref("u", "k * P + i")}} * factor;
            }
            """);
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>Overwrites <paramref name=\"v\"/> with <c>G⁻ᵀ v</c> (getrs, transpose): Uᵀ forward, Lᵀ backward, then the swaps in reverse.</summary>");
        writer.Open("private static void LuSolveTransposedSingle(global::System.ReadOnlySpan<float> triangles, global::System.ReadOnlySpan<float> inverseDiagonal, global::System.ReadOnlySpan<int> ipiv, global::System.Span<float> v)");
        EmitLuPrologue(writer);
        bool vectorBranch = unrolled || width > 0;
        if (unrolled)
        {
            writer.Open($"if ({Intrinsics}Vector256.IsHardwareAccelerated)");
            EmitRegisterSweeps(writer, p, transposed: true);
            writer.Close();
        }
        else if (width > 0)
        {
            writer.Lines($$"""
                if ({{v}}.IsHardwareAccelerated)
                {
                    for (int k = 0; k < P; k++)
                    {
                        var sum = {{v}}<float>.Zero;
                        int i = 0, end = global::System.Math.Min((k + {{I(width - 1)}}) / {{I(width)}} * {{I(width)}}, {{I(full)}});
                        for (; i < end; i += {{I(width)}})
                            sum += {{v}}.LoadUnsafe(ref u, (nuint)(k * P + i)) * {{v}}.LoadUnsafe(ref z, (nuint)i);
                        float total = {{v}}.Sum(sum);
                        for (; i < k; i++) total += {{Ref("u", "k * P + i")}} * {{Ref("z", "i")}};
                        {{Ref("z", "k")}} = ({{Ref("z", "k")}} - total) * {{Ref("d", "k")}};
                    }
                    for (int k = P - 2; k >= 0; k--)
                    {
                        var sum = {{v}}<float>.Zero;
                        int i = (k + 1) / {{I(width)}} * {{I(width)}};
                        for (; i < {{I(full)}}; i += {{I(width)}})
                            sum += {{v}}.LoadUnsafe(ref l, (nuint)(k * P + i)) * {{v}}.LoadUnsafe(ref z, (nuint)i);
                        float total = {{v}}.Sum(sum);
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
                float total = 0;
                for (int i = 0; i < k; i++) total += {{Ref("u", "k * P + i")}} * {{Ref("z", "i")}};
                {{Ref("z", "k")}} = ({{Ref("z", "k")}} - total) * {{Ref("d", "k")}};
            }
            for (int k = P - 2; k >= 0; k--)
            {
                float total = 0;
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

    /// <summary>For P a multiple of 8 up to 64 the vector z lives in P/8 Vector256 registers for the whole
    /// solve and every column step is unrolled with constant lanes and offsets: no step waits for a store of the
    /// previous one to reach memory.</summary>
    internal static bool UsesRegisterSweeps(int p) => p % 8 == 0 && p <= 64;

    /// <summary>Right-hand sides whose register sweeps <see cref="EmitRegisterSweeps"/> interleaves in one
    /// method: four vectors of P ≤ 32 take 16 of the 32 vector registers, leaving room for the factor columns.</summary>
    internal static int InterleavedSweeps(int p) => UsesRegisterSweeps(p) && p <= 32 ? 4 : 1;

    /// <summary>
    /// The register sweeps of <paramref name="vectors"/> right-hand sides, read from and written back to the refs
    /// <c>z</c> (one vector) or <c>v0 … v{vectors-1}</c>. Several vectors are interleaved step by step: each
    /// sweep is a chain of P dependent steps (lane k is final only after step k−1), and independent chains side
    /// by side keep the FMA units busy while one chain waits. Every vector sees exactly the operations of a lone
    /// sweep, in the same order, so the results are bit for bit those of one vector at a time.
    /// </summary>
    internal static void EmitRegisterSweeps(CodeWriter writer, int p, bool transposed, int vectors = 1)
    {
        int chunks = p / 8;
        string v = Intrinsics + "Vector256";
        string D(int k) => $"{Unsafe}.Add(ref d, {I(k)})";
        string Z(int r, int c) => vectors == 1 ? $"z{I(c)}" : $"z{I(r)}_{I(c)}";
        string Source(int r) => vectors == 1 ? "z" : $"v{I(r)}";
        string Lane(int r, int k) => $"{v}.GetElement({Z(r, k / 8)}, {I(k % 8)})";
        string SetLane(int r, int k, string value) => $"{Z(r, k / 8)} = {v}.WithElement({Z(r, k / 8)}, {I(k % 8)}, {value});";
        string Suffix(int k, int r) => vectors == 1 ? I(k) : $"{I(k)}_{I(r)}";
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++) writer.Line($"var {Z(r, c)} = {v}.LoadUnsafe(ref {Source(r)}, {I(8 * c)});");
        if (!transposed)
        {
            // Unit-lower forward sweep: column k updates the rows below k.
            for (int k = 0; k < p - 1; k++)
            {
                int first = (k + 1) / 8;
                for (int c = first; c < chunks; c++) writer.Line($"var l{I(k)}_{I(c)} = {v}.LoadUnsafe(ref l, {I(k * p + 8 * c)});");
                for (int r = 0; r < vectors; r++)
                {
                    writer.Line($"var f{Suffix(k, r)} = {v}.Create(-{Lane(r, k)});");
                    for (int c = first; c < chunks; c++) writer.Line($"{Z(r, c)} = MultiplyAdd(l{I(k)}_{I(c)}, f{Suffix(k, r)}, {Z(r, c)});");
                }
            }
            // Upper backward sweep: scale by the diagonal's reciprocal, then column k updates the rows above k.
            for (int k = p - 1; k >= 0; k--)
            {
                int end = (k + 7) / 8;
                for (int r = 0; r < vectors; r++)
                {
                    writer.Line($"float s{Suffix(k, r)} = {Lane(r, k)} * {D(k)};");
                    writer.Line(SetLane(r, k, "s" + Suffix(k, r)));
                }
                if (end == 0) continue;
                for (int c = 0; c < end; c++) writer.Line($"var u{I(k)}_{I(c)} = {v}.LoadUnsafe(ref u, {I(k * p + 8 * c)});");
                for (int r = 0; r < vectors; r++)
                {
                    writer.Line($"var g{Suffix(k, r)} = {v}.Create(-s{Suffix(k, r)});");
                    for (int c = 0; c < end; c++) writer.Line($"{Z(r, c)} = MultiplyAdd(u{I(k)}_{I(c)}, g{Suffix(k, r)}, {Z(r, c)});");
                }
            }
        }
        else
        {
            if (vectors != 1) throw new System.ArgumentOutOfRangeException(nameof(vectors), "Transposed sweeps are emitted for one vector.");
            // Uᵀ forward sweep: row k of Uᵀ is column k of U, above the diagonal.
            for (int k = 0; k < p; k++)
            {
                int end = (k + 7) / 8;
                if (end == 0)
                {
                    writer.Line(SetLane(0, k, $"{Lane(0, k)} * {D(k)}"));
                    continue;
                }
                string sum = string.Join(" + ", Enumerable(end, c => $"{v}.LoadUnsafe(ref u, {I(k * p + 8 * c)}) * {Z(0, c)}"));
                writer.Line(SetLane(0, k, $"({Lane(0, k)} - {v}.Sum({sum})) * {D(k)}"));
            }
            // Lᵀ backward sweep (unit diagonal): column k of L, below the diagonal.
            for (int k = p - 2; k >= 0; k--)
            {
                int first = (k + 1) / 8;
                string sum = string.Join(" + ", Enumerable(chunks - first, c => $"{v}.LoadUnsafe(ref l, {I(k * p + 8 * (first + c))}) * {Z(0, first + c)}"));
                writer.Line(SetLane(0, k, $"{Lane(0, k)} - {v}.Sum({sum})"));
            }
        }
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++) writer.Line($"{v}.StoreUnsafe({Z(r, c)}, ref {Source(r)}, {I(8 * c)});");
    }

    private static string[] Enumerable(int count, System.Func<int, string> item)
    {
        var items = new string[count];
        for (int i = 0; i < count; i++) items[i] = item(i);
        return items;
    }

    internal static void EmitLuPrologue(CodeWriter writer) => writer.Lines("""
        ref float l = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(triangles);
        ref float u = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref l, TensorSize);
        ref float d = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(inverseDiagonal);
        ref float z = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(v);
        """);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

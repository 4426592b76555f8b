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
    private const string Intrinsics = "global::System.Runtime.Intrinsics.";
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

    public static void Emit(CodeWriter writer, int p)
    {
        EmitAddProduct(writer, p);
        EmitAddTransposedProduct(writer, p);
        EmitLuSolves(writer, p);
    }

    private static (string Type, int Width)[] Widths(int minimumLength) =>
        minimumLength >= 16 ? [("Vector512", 16), ("Vector256", 8), ("Vector128", 4)]
        : minimumLength >= 8 ? [("Vector256", 8), ("Vector128", 4)]
        : minimumLength >= 4 ? [("Vector128", 4)]
        : [];

    private static void EmitAddProduct(CodeWriter writer, int p)
    {
        writer.Line("/// <summary><c>y += sign · W x</c> for one P x P tensor stored column-major (sign is ±1, so exact).</summary>");
        writer.Open("private static void AddProduct(global::System.ReadOnlySpan<float> transposedWeights, global::System.ReadOnlySpan<float> x, global::System.Span<float> y, float sign)");
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
                    // Each chunk of y stays in a register while all P columns are added into it.
                    for (int row = 0; row < {{I(full)}}; row += {{I(width)}})
                    {
                        var sum = {{v}}.LoadUnsafe(ref ys, (nuint)row);
                        for (int column = 0; column < P; column++)
                            sum += {{v}}.LoadUnsafe(ref w, (nuint)(column * P + row)) * {{v}}.Create(sign * {{Unsafe}}.Add(ref xs, column));
                        {{v}}.StoreUnsafe(sum, ref ys, (nuint)row);
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

            /// <summary>Scalar rows <c>firstRow … P-1</c> of <see cref="AddProduct"/>.</summary>
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
        writer.Open("private static void AddTransposedProduct(global::System.ReadOnlySpan<float> transposedWeights, global::System.ReadOnlySpan<float> x, global::System.Span<float> y, float sign)");
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
    /// order). The factors come as column-major strict triangles padded with zeros plus U's diagonal, so each
    /// column step is whole-vector arithmetic from the vector holding its first non-zero to the end (the zeros make
    /// the extra lanes exact no-ops); a scalar tail covers P mod the width.
    /// </summary>
    private static void EmitLuSolves(CodeWriter writer, int p)
    {
        var (type, width) = p >= 8 ? ("Vector256", 8) : p >= 4 ? ("Vector128", 4) : ("", 0);
        int full = width == 0 ? 0 : p / width * width;
        string v = Intrinsics + type;
        string Ref(string name, string index) => $"{Unsafe}.Add(ref {name}, {index})";

        writer.Line("/// <summary>Overwrites <paramref name=\"v\"/> with <c>G⁻¹ v</c> (getrs, no transpose): row swaps, unit-lower forward sweep, upper backward sweep.</summary>");
        writer.Open("private static void LuSolve(global::System.ReadOnlySpan<float> triangles, global::System.ReadOnlySpan<float> diagonal, global::System.ReadOnlySpan<int> ipiv, global::System.Span<float> v)");
        EmitLuPrologue(writer);
        writer.Lines("""
            for (int k = 0; k < P; k++)
            {
                int swap = ipiv[k];
                if (swap != k) (v[k], v[swap]) = (v[swap], v[k]);
            }
            """);
        bool unrolled = UsesRegisterSweeps(p);
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
                        float factor = {{Ref("z", "k")}} /= {{Ref("d", "k")}};
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
                float factor = {{Ref("z", "k")}} /= {{Ref("d", "k")}};
                for (int i = 0; i < k; i++) {{Ref("z", "i")}} -= {{Ref("u", "k * P + i")}} * factor;
            }
            """);
        writer.Close();
        writer.Line();

        writer.Line("/// <summary>Overwrites <paramref name=\"v\"/> with <c>G⁻ᵀ v</c> (getrs, transpose): Uᵀ forward, Lᵀ backward, then the swaps in reverse.</summary>");
        writer.Open("private static void LuSolveTransposed(global::System.ReadOnlySpan<float> triangles, global::System.ReadOnlySpan<float> diagonal, global::System.ReadOnlySpan<int> ipiv, global::System.Span<float> v)");
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
                        {{Ref("z", "k")}} = ({{Ref("z", "k")}} - total) / {{Ref("d", "k")}};
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
                {{Ref("z", "k")}} = ({{Ref("z", "k")}} - total) / {{Ref("d", "k")}};
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
    private static bool UsesRegisterSweeps(int p) => p % 8 == 0 && p <= 64;

    private static void EmitRegisterSweeps(CodeWriter writer, int p, bool transposed)
    {
        int chunks = p / 8;
        string v = Intrinsics + "Vector256";
        string D(int k) => $"{Unsafe}.Add(ref d, {I(k)})";
        string Lane(int k) => $"{v}.GetElement(z{I(k / 8)}, {I(k % 8)})";
        string SetLane(int k, string value) => $"z{I(k / 8)} = {v}.WithElement(z{I(k / 8)}, {I(k % 8)}, {value});";
        for (int c = 0; c < chunks; c++) writer.Line($"var z{I(c)} = {v}.LoadUnsafe(ref z, {I(8 * c)});");
        if (!transposed)
        {
            // Unit-lower forward sweep: column k updates the rows below k.
            for (int k = 0; k < p - 1; k++)
            {
                int first = (k + 1) / 8;
                writer.Line($"var f{I(k)} = {v}.Create({Lane(k)});");
                for (int c = first; c < chunks; c++)
                    writer.Line($"z{I(c)} -= {v}.LoadUnsafe(ref l, {I(k * p + 8 * c)}) * f{I(k)};");
            }
            // Upper backward sweep: divide by the diagonal, then column k updates the rows above k.
            for (int k = p - 1; k >= 0; k--)
            {
                writer.Line($"float s{I(k)} = {Lane(k)} / {D(k)};");
                writer.Line(SetLane(k, "s" + I(k)));
                int end = (k + 7) / 8;
                if (end == 0) continue;
                writer.Line($"var g{I(k)} = {v}.Create(s{I(k)});");
                for (int c = 0; c < end; c++)
                    writer.Line($"z{I(c)} -= {v}.LoadUnsafe(ref u, {I(k * p + 8 * c)}) * g{I(k)};");
            }
        }
        else
        {
            // Uᵀ forward sweep: row k of Uᵀ is column k of U, above the diagonal.
            for (int k = 0; k < p; k++)
            {
                int end = (k + 7) / 8;
                if (end == 0)
                {
                    writer.Line(SetLane(k, $"{Lane(k)} / {D(k)}"));
                    continue;
                }
                string sum = string.Join(" + ", Enumerable(end, c => $"{v}.LoadUnsafe(ref u, {I(k * p + 8 * c)}) * z{I(c)}"));
                writer.Line(SetLane(k, $"({Lane(k)} - {v}.Sum({sum})) / {D(k)}"));
            }
            // Lᵀ backward sweep (unit diagonal): column k of L, below the diagonal.
            for (int k = p - 2; k >= 0; k--)
            {
                int first = (k + 1) / 8;
                string sum = string.Join(" + ", Enumerable(chunks - first, c => $"{v}.LoadUnsafe(ref l, {I(k * p + 8 * (first + c))}) * z{I(first + c)}"));
                writer.Line(SetLane(k, $"{Lane(k)} - {v}.Sum({sum})"));
            }
        }
        for (int c = 0; c < chunks; c++) writer.Line($"{v}.StoreUnsafe(z{I(c)}, ref z, {I(8 * c)});");
    }

    private static string[] Enumerable(int count, System.Func<int, string> item)
    {
        var items = new string[count];
        for (int i = 0; i < count; i++) items[i] = item(i);
        return items;
    }

    private static void EmitLuPrologue(CodeWriter writer) => writer.Lines("""
        ref float l = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(triangles);
        ref float u = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref l, TensorSize);
        ref float d = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(diagonal);
        ref float z = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(v);
        """);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace GenLu.Generator.Emit;

/// <summary>
/// The P x P kernels of one generated solver, specialized for its constant P: every loop bound is a literal,
/// and only the vector widths that fit P are emitted (Vector512 for P ≥ 16, Vector256 for P ≥ 8, Vector128 for
/// P ≥ 4), each followed by a scalar tail only when P is not a multiple of the width. The branches test
/// <c>IsHardwareAccelerated</c>, a JIT-time constant, so the unused ones cost nothing.
/// <para>Weights are embedded transposed (column-major <c>W</c>), so <c>y += W x</c> — the direction every solve
/// and product uses — is a sum of contiguous columns kept in registers, and <c>y += Wᵀ x</c> is one dot product
/// per row. The LU factors are embedded column-major too, so both triangular sweeps are contiguous updates.</para>
/// </summary>
internal static class KernelEmitter
{
    private const string Intrinsics = "global::System.Runtime.Intrinsics.";
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

    public static void Emit(CodeWriter writer, int p)
    {
        EmitAddProduct(writer, p);
        EmitAddTransposedProduct(writer, p);
        writer.Lines(LuKernels);
        EmitSubtractScaled(writer);
        EmitDot(writer);
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

    // Both solves work on the column-major LU of G (unit L below the diagonal, U on and above) with LAPACK's
    // zero-based ipiv: P·G = L·U, where P applies the row swaps k <-> ipiv[k] in order k = 0, 1, ….
    private const string LuKernels = """
        /// <summary>Overwrites <paramref name="v"/> with <c>G⁻¹ v</c> (getrs, no transpose).</summary>
        private static void LuSolve(global::System.ReadOnlySpan<float> lu, global::System.ReadOnlySpan<int> ipiv, global::System.Span<float> v)
        {
            ref float a = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(lu);
            ref float z = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(v);
            for (int k = 0; k < P; k++)
            {
                int swap = ipiv[k];
                if (swap != k) (v[k], v[swap]) = (v[swap], v[k]);
            }
            for (int k = 0; k < P - 1; k++)
                SubtractScaled(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref z, k + 1), ref global::System.Runtime.CompilerServices.Unsafe.Add(ref a, k * P + k + 1), v[k], P - 1 - k);
            for (int k = P - 1; k >= 0; k--)
            {
                v[k] /= global::System.Runtime.CompilerServices.Unsafe.Add(ref a, k * P + k);
                SubtractScaled(ref z, ref global::System.Runtime.CompilerServices.Unsafe.Add(ref a, k * P), v[k], k);
            }
        }

        /// <summary>Overwrites <paramref name="v"/> with <c>G⁻ᵀ v</c> (getrs, transpose): Uᵀ, then Lᵀ, then the swaps in reverse.</summary>
        private static void LuSolveTransposed(global::System.ReadOnlySpan<float> lu, global::System.ReadOnlySpan<int> ipiv, global::System.Span<float> v)
        {
            ref float a = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(lu);
            ref float z = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(v);
            for (int k = 0; k < P; k++)
                v[k] = (v[k] - Dot(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref a, k * P), ref z, k)) / global::System.Runtime.CompilerServices.Unsafe.Add(ref a, k * P + k);
            for (int k = P - 2; k >= 0; k--)
                v[k] -= Dot(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref a, k * P + k + 1), ref global::System.Runtime.CompilerServices.Unsafe.Add(ref z, k + 1), P - 1 - k);
            for (int k = P - 1; k >= 0; k--)
            {
                int swap = ipiv[k];
                if (swap != k) (v[k], v[swap]) = (v[swap], v[k]);
            }
        }

        """;

    private static void EmitSubtractScaled(CodeWriter writer)
    {
        writer.Line("/// <summary><c>destination[0 … length) -= factor · source[0 … length)</c>.</summary>");
        writer.Open("private static void SubtractScaled(ref float destination, ref float source, float factor, int length)");
        writer.Line("int i = 0;");
        foreach (var (type, width) in new[] { ("Vector256", 8), ("Vector128", 4) })
        {
            string v = Intrinsics + type;
            writer.Lines($$"""
                if ({{v}}.IsHardwareAccelerated)
                {
                    var scale = {{v}}.Create(factor);
                    for (; i <= length - {{I(width)}}; i += {{I(width)}})
                        {{v}}.StoreUnsafe({{v}}.LoadUnsafe(ref destination, (nuint)i) - {{v}}.LoadUnsafe(ref source, (nuint)i) * scale, ref destination, (nuint)i);
                }
                """);
        }
        writer.Line($"for (; i < length; i++) {Unsafe}.Add(ref destination, i) -= factor * {Unsafe}.Add(ref source, i);");
        writer.Close();
        writer.Line();
    }

    private static void EmitDot(CodeWriter writer)
    {
        writer.Line("/// <summary><c>Σ a[i] · b[i]</c> over <c>[0, length)</c>.</summary>");
        writer.Open("private static float Dot(ref float a, ref float b, int length)");
        writer.Line("int i = 0;");
        writer.Line("float total = 0;");
        foreach (var (type, width) in new[] { ("Vector256", 8), ("Vector128", 4) })
        {
            string v = Intrinsics + type;
            writer.Lines($$"""
                if ({{v}}.IsHardwareAccelerated && length - i >= {{I(width)}})
                {
                    var sum = {{v}}<float>.Zero;
                    for (; i <= length - {{I(width)}}; i += {{I(width)}})
                        sum += {{v}}.LoadUnsafe(ref a, (nuint)i) * {{v}}.LoadUnsafe(ref b, (nuint)i);
                    total += {{v}}.Sum(sum);
                }
                """);
        }
        writer.Line($"for (; i < length; i++) total += {Unsafe}.Add(ref a, i) * {Unsafe}.Add(ref b, i);");
        writer.Line("return total;");
        writer.Close();
        writer.Line();
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

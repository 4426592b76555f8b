using System.Globalization;

namespace GenLu.Generator.Emit;

/// <summary>
/// The one-vector P x P products of a generated solver (<c>AddProductSingle</c>, <c>AddTransposedProductSingle</c>),
/// specialized for its constant P: every loop bound is a literal, and each vector width is followed by a scalar
/// tail only when P is not a multiple of it.
/// <para>Weights are embedded transposed (column-major <c>W</c>), so <c>y += W x</c> — the direction every solve
/// and product uses — is a sum of contiguous columns kept in registers, and <c>y += Wᵀ x</c> is one dot product
/// per row.</para>
/// </summary>
internal static class SingleVectorProductEmitter
{
    private const string Intrinsics = SimdHelperEmitter.Intrinsics;
    private const string Unsafe = SimdHelperEmitter.Unsafe;

    public static void Emit(CodeWriter writer, int p, ElementType element)
    {
        EmitAddProduct(writer, p, element);
        EmitAddTransposedProduct(writer, p, element);
    }

    private static void EmitAddProduct(CodeWriter writer, int p, ElementType element)
    {
        string t = element.Keyword;
        writer.Line("/// <summary><c>y += sign · W x</c> for one P x P tensor stored column-major (sign is ±1, so exact).</summary>");
        writer.Open($"private static void AddProductSingle({element.ReadOnlySpan} transposedWeights, {element.ReadOnlySpan} x, {element.Span} y, {t} sign)");
        writer.Lines($$"""
            ref {{t}} w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(transposedWeights);
            ref {{t}} xs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref {{t}} ys = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
            """);
        foreach (var (type, width) in SimdHelperEmitter.Widths(p, element))
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
                        var sum1 = {{v}}<{{t}}>.Zero;
                        var sum2 = {{v}}<{{t}}>.Zero;
                        var sum3 = {{v}}<{{t}}>.Zero;
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
            private static void AddProductRows(ref {{t}} w, ref {{t}} xs, ref {{t}} ys, {{t}} sign, int firstRow)
            {
                for (int row = firstRow; row < P; row++)
                {
                    {{t}} sum = 0;
                    for (int column = 0; column < P; column++)
                        sum += {{Unsafe}}.Add(ref w, column * P + row) * {{Unsafe}}.Add(ref xs, column);
                    {{Unsafe}}.Add(ref ys, row) += sign * sum;
                }
            }

            """);
    }

    private static void EmitAddTransposedProduct(CodeWriter writer, int p, ElementType element)
    {
        string t = element.Keyword;
        writer.Line("/// <summary><c>y += sign · Wᵀ x</c> for one P x P tensor stored column-major: a dot product per output.</summary>");
        writer.Open($"private static void AddTransposedProductSingle({element.ReadOnlySpan} transposedWeights, {element.ReadOnlySpan} x, {element.Span} y, {t} sign)");
        writer.Lines($$"""
            ref {{t}} w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(transposedWeights);
            ref {{t}} xs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref {{t}} ys = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
            """);
        var widths = SimdHelperEmitter.Widths(p, element);
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
                        ref {{t}} column = ref {{Unsafe}}.Add(ref w, row * P);
                        var sum = {{v}}<{{t}}>.Zero;
                        for (int k = 0; k < {{I(full)}}; k += {{I(width)}})
                            sum += {{v}}.LoadUnsafe(ref column, (nuint)k) * {{v}}.LoadUnsafe(ref xs, (nuint)k);
                        {{t}} total = {{v}}.Sum(sum);
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
                {{t}} total = 0;
                for (int k = 0; k < P; k++) total += {{Unsafe}}.Add(ref w, row * P + k) * {{Unsafe}}.Add(ref xs, k);
                {{Unsafe}}.Add(ref ys, row) += sign * total;
            }
            """);
        writer.Close();
        writer.Line();
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

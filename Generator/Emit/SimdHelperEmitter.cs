
namespace GenLu.Generator.Emit;

/// <summary>
/// What every vectorized kernel of a generated solver shares: the vector widths that fit P (those whose lanes do not
/// exceed P: for float Vector512 from P = 16, Vector256 from 8, Vector128 from 4; for double 8, 4 and 2) and the emitted
/// <c>MultiplyAdd</c> helper for each of them. The
/// kernels test <c>IsHardwareAccelerated</c>, a JIT-time constant, so the unused widths cost nothing.
/// </summary>
internal static class SimdHelperEmitter
{
    internal const string Intrinsics = "global::System.Runtime.Intrinsics.";

    internal const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

    /// <summary>Emits the fused multiply-add helper of every width that fits P (the widths every vector kernel uses).</summary>
    public static void Emit(CodeWriter writer, int p, ElementType element)
    {
        foreach (var (type, _) in Widths(p, element)) EmitMultiplyAdd(writer, Intrinsics + type, element.Keyword);
    }

    private static void EmitMultiplyAdd(CodeWriter writer, string v, string t) => writer.Lines($$"""
        /// <summary><c>a · b + c</c>, fused where the framework exposes it (.NET 9 and later).</summary>
        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static {{v}}<{{t}}> MultiplyAdd({{v}}<{{t}}> a, {{v}}<{{t}}> b, {{v}}<{{t}}> c)
        {
        #if NET9_0_OR_GREATER
            return {{v}}.FusedMultiplyAdd(a, b, c);
        #else
            return a * b + c;
        #endif
        }

        """);

    /// <summary>The vector types whose lanes of <paramref name="element"/> fit in P, widest first, with their lane counts.</summary>
    internal static (string Type, int Width)[] Widths(int p, ElementType element)
    {
        var widths = new System.Collections.Generic.List<(string, int)>(3);
        foreach (int bits in new[] { 512, 256, 128 })
            if (element.Lanes(bits) <= p) widths.Add(("Vector" + bits.ToString(System.Globalization.CultureInfo.InvariantCulture), element.Lanes(bits)));
        return widths.ToArray();
    }
}

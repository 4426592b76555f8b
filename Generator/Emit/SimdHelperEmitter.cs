
namespace GenLu.Generator.Emit;

/// <summary>
/// What every vectorized kernel of a generated solver shares: the vector widths that fit P (Vector512 for P ≥ 16,
/// Vector256 for P ≥ 8, Vector128 for P ≥ 4) and the emitted <c>MultiplyAdd</c> helper for each of them. The
/// kernels test <c>IsHardwareAccelerated</c>, a JIT-time constant, so the unused widths cost nothing.
/// </summary>
internal static class SimdHelperEmitter
{
    internal const string Intrinsics = "global::System.Runtime.Intrinsics.";

    internal const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

    /// <summary>Emits the fused multiply-add helper of every width that fits P (the widths every vector kernel uses).</summary>
    public static void Emit(CodeWriter writer, int p)
    {
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
}

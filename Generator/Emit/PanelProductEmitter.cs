using System.Globalization;

namespace GenLu.Generator.Emit;

/// <summary>
/// The panel products and block moves the printed schedules call (<c>AddProduct</c>, <c>AddTransposedProduct</c>,
/// <c>CopyBlocks</c>, <c>ClearBlocks</c>): each works on <c>count</c> vectors at once (a panel), vector r's block at
/// <c>r · stride</c> floats from the start of its span (N for the caller's vectors, which lie one after another,
/// and <see cref="SolverEmitter"/>'s ScratchLength for the scratch slots). One vector goes straight to the
/// single-vector kernels of <see cref="SingleVectorProductEmitter"/>.
/// <para>Several vectors pay off twice. Every tensor is loaded once for the whole panel and stays in L1 while
/// all vectors use it, instead of being streamed from L2/L3 once per vector. And where it is vectorized, the
/// panel exposes independent work: <c>W x_r</c> for 8 vectors is 8 independent FMA chains per row chunk.
/// <c>Wᵀ x</c> (dot products of the stored columns) gains only the first; it runs vector by vector over the panel.</para>
/// </summary>
internal static class PanelProductEmitter
{
    private const string Intrinsics = SimdHelperEmitter.Intrinsics;
    private const string Unsafe = SimdHelperEmitter.Unsafe;

    /// <summary>Vectors of one register block of the panel product: 8, then 4 for what remains.</summary>
    private static readonly int[] ProductBlocks = [8, 4];

    public static void Emit(CodeWriter writer, int p, ElementType element)
    {
        EmitBlockCopies(writer, element);
        EmitAddProduct(writer, p, element);
        EmitVectorByVector(writer, "AddTransposedProduct", "<c>y_r += sign · Wᵀ x_r</c> for every vector of the panel",
            $"{element.ReadOnlySpan} transposedWeights, {element.ReadOnlySpan} x, int xStride, {element.Span} y, int yStride, int count, {element.Keyword} sign",
            "AddTransposedProductSingle(transposedWeights, x.Slice(r * xStride), y.Slice(r * yStride), sign)");
    }

    private static void EmitBlockCopies(CodeWriter writer, ElementType element) => writer.Lines($$"""
        /// <summary>Copies block r of the source (at <c>r · sourceStride</c>) to block r of the target, for <paramref name="count"/> blocks of P {{element.Plural}}.</summary>
        private static void CopyBlocks({{element.ReadOnlySpan}} source, int sourceStride, {{element.Span}} target, int targetStride, int count)
        {
            for (int r = 0; r < count; r++) source.Slice(r * sourceStride, P).CopyTo(target.Slice(r * targetStride, P));
        }

        /// <summary>Zeroes <paramref name="count"/> blocks of P {{element.Plural}}, <paramref name="stride"/> apart.</summary>
        private static void ClearBlocks({{element.Span}} target, int stride, int count)
        {
            for (int r = 0; r < count; r++) target.Slice(r * stride, P).Clear();
        }

        """);

    internal static void EmitVectorByVector(CodeWriter writer, string name, string what, string parameters, string call) => writer.Lines($$"""
        /// <summary>{{what}}, one vector after another (see the class comment of the generator's panel kernels).</summary>
        private static void {{name}}({{parameters}})
        {
            for (int r = 0; r < count; r++) {{call}};
        }

        """);

    /// <summary>
    /// <c>y_r += sign · W x_r</c> for the panel. Vectorized when a vector width divides P: a block of B vectors
    /// keeps B x (one or two row chunks) accumulators in registers, loads each chunk of a column of W once for
    /// all B vectors and broadcasts x_r's entries. The sign is applied by negating y before and after the sum
    /// (exact), so the inner loop is pure FMA.
    /// </summary>
    private static void EmitAddProduct(CodeWriter writer, int p, ElementType element)
    {
        string t = element.Keyword;
        var vector = ProductVector(p, element);
        writer.Line("/// <summary><c>y_r += sign · W x_r</c> for <paramref name=\"count\"/> vectors (x_r at <c>r · xStride</c>, y_r at <c>r · yStride</c>), W stored column-major.</summary>");
        writer.Open($"private static void AddProduct({element.ReadOnlySpan} transposedWeights, {element.ReadOnlySpan} x, int xStride, {element.Span} y, int yStride, int count, {t} sign)");
        writer.Line("int r = 0;");
        if (vector.HasValue)
        {
            string v = Intrinsics + vector.Value.Type;
            writer.Open($"if (count > 1 && {v}.IsHardwareAccelerated)");
            writer.Lines($$"""
                ref {{t}} w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(transposedWeights);
                ref {{t}} xs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
                ref {{t}} ys = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
                var signs = {{v}}.Create(sign);
                """);
            foreach (int block in ProductBlocks)
                writer.Line($"for (; r + {I(block)} <= count; r += {I(block)}) AddProductBlock{I(block)}(ref w, ref {Unsafe}.Add(ref xs, r * xStride), xStride, ref {Unsafe}.Add(ref ys, r * yStride), yStride, signs);");
            writer.Close();
        }
        writer.Line("for (; r < count; r++) AddProductSingle(transposedWeights, x.Slice(r * xStride), y.Slice(r * yStride), sign);");
        writer.Close();
        writer.Line();

        if (vector.HasValue)
        {
            string v = Intrinsics + vector.Value.Type;
            foreach (int block in ProductBlocks) EmitProductBlock(writer, p, v, t, vector.Value.Width, block);
        }
    }

    /// <summary>The vector type of the panel product: the widest whose width divides P, or none.</summary>
    internal static (string Type, int Width)? ProductVector(int p, ElementType element)
    {
        foreach (var candidate in SimdHelperEmitter.Widths(p, element))
            if (p % candidate.Width == 0) return candidate;
        return null;
    }

    private static void EmitProductBlock(CodeWriter writer, int p, string v, string t, int width, int vectors)
    {
        int chunks = p / width % 2 == 0 ? 2 : 1;
        writer.Line($"/// <summary><see cref=\"AddProduct\"/> for {I(vectors)} vectors: {I(vectors * chunks)} accumulators over {I(chunks)} row chunk(s) of {I(width)}.</summary>");
        writer.Open($"private static void AddProductBlock{I(vectors)}(ref {t} w, ref {t} x, int xStride, ref {t} y, int yStride, {v}<{t}> signs)");
        for (int r = 0; r < vectors; r++)
        {
            string previousX = r == 0 ? "x" : $"x{I(r - 1)}", previousY = r == 0 ? "y" : $"y{I(r - 1)}";
            writer.Line($"ref {t} x{I(r)} = ref {(r == 0 ? "x" : $"{Unsafe}.Add(ref {previousX}, xStride)")};");
            writer.Line($"ref {t} y{I(r)} = ref {(r == 0 ? "y" : $"{Unsafe}.Add(ref {previousY}, yStride)")};");
        }
        writer.Open($"for (int row = 0; row < P; row += {I(chunks * width)})");
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++)
                writer.Line($"var a{I(r)}_{I(c)} = {v}.LoadUnsafe(ref y{I(r)}, (nuint)(row{Plus(c * width)})) * signs;");
        writer.Open("for (int column = 0; column < P; column++)");
        for (int c = 0; c < chunks; c++)
            writer.Line($"var w{I(c)} = {v}.LoadUnsafe(ref w, (nuint)(column * P + row{Plus(c * width)}));");
        for (int r = 0; r < vectors; r++)
        {
            writer.Line($"var b{I(r)} = {v}.Create({Unsafe}.Add(ref x{I(r)}, column));");
            for (int c = 0; c < chunks; c++) writer.Line($"a{I(r)}_{I(c)} = MultiplyAdd(w{I(c)}, b{I(r)}, a{I(r)}_{I(c)});");
        }
        writer.Close();
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++)
                writer.Line($"{v}.StoreUnsafe(a{I(r)}_{I(c)} * signs, ref y{I(r)}, (nuint)(row{Plus(c * width)}));");
        writer.Close();
        writer.Close();
        writer.Line();
    }

    private static string Plus(int offset) => offset == 0 ? "" : " + " + I(offset);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

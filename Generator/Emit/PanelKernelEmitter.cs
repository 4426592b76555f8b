using System.Globalization;

namespace GenLu.Generator.Emit;

/// <summary>
/// The kernels the schedules call: each works on <c>count</c> vectors at once (a panel), vector r's block at
/// <c>r · stride</c> floats from the start of its span (N for the caller's vectors, which lie one after another,
/// and <see cref="SolverEmitter"/>'s ScratchLength for the scratch slots). One vector goes straight to the
/// single-vector kernels of <see cref="KernelEmitter"/>.
/// <para>Several vectors pay off twice. Every tensor is loaded once for the whole panel and stays in L1 while
/// all vectors use it, instead of being streamed from L2/L3 once per vector. And where it is vectorized, the
/// panel exposes independent work: <c>W x_r</c> for 8 vectors is 8 independent FMA chains per row chunk,
/// and 8 (Vector512) or 4 (Vector256) interleaved triangular sweeps hide each other's latency. <c>Wᵀ x</c> (dot products of the stored
/// columns) and the transposed sweeps gain only the first; they run vector by vector over the panel.</para>
/// </summary>
internal static class PanelKernelEmitter
{
    private const string Intrinsics = KernelEmitter.Intrinsics;
    private const string Unsafe = KernelEmitter.Unsafe;
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
    private const string Span = "global::System.Span<float>";

    /// <summary>Vectors of one register block of the panel product: 8, then 4 for what remains.</summary>
    private static readonly int[] ProductBlocks = [8, 4];

    public static void Emit(CodeWriter writer, int p)
    {
        EmitBlockCopies(writer);
        EmitAddProduct(writer, p);
        EmitVectorByVector(writer, "AddTransposedProduct", "<c>y_r += sign · Wᵀ x_r</c> for every vector of the panel",
            $"{ReadOnlySpan} transposedWeights, {ReadOnlySpan} x, int xStride, {Span} y, int yStride, int count, float sign",
            "AddTransposedProductSingle(transposedWeights, x.Slice(r * xStride), y.Slice(r * yStride), sign)");
        EmitLuSolve(writer, p);
        EmitVectorByVector(writer, "LuSolveTransposed", "<c>v_r = G⁻ᵀ v_r</c> for every vector of the panel",
            $"global::System.ReadOnlySpan<float> triangles, global::System.ReadOnlySpan<float> inverseDiagonal, global::System.ReadOnlySpan<int> ipiv, {Span} v, int stride, int count",
            "LuSolveTransposedSingle(triangles, inverseDiagonal, ipiv, v.Slice(r * stride, P))");
    }

    private static void EmitBlockCopies(CodeWriter writer) => writer.Lines($$"""
        /// <summary>Copies block r of the source (at <c>r · sourceStride</c>) to block r of the target, for <paramref name="count"/> blocks of P floats.</summary>
        private static void CopyBlocks({{ReadOnlySpan}} source, int sourceStride, {{Span}} target, int targetStride, int count)
        {
            for (int r = 0; r < count; r++) source.Slice(r * sourceStride, P).CopyTo(target.Slice(r * targetStride, P));
        }

        /// <summary>Zeroes <paramref name="count"/> blocks of P floats, <paramref name="stride"/> apart.</summary>
        private static void ClearBlocks({{Span}} target, int stride, int count)
        {
            for (int r = 0; r < count; r++) target.Slice(r * stride, P).Clear();
        }

        """);

    private static void EmitVectorByVector(CodeWriter writer, string name, string what, string parameters, string call) => writer.Lines($$"""
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
    private static void EmitAddProduct(CodeWriter writer, int p)
    {
        var vector = ProductVector(p);
        writer.Line("/// <summary><c>y_r += sign · W x_r</c> for <paramref name=\"count\"/> vectors (x_r at <c>r · xStride</c>, y_r at <c>r · yStride</c>), W stored column-major.</summary>");
        writer.Open($"private static void AddProduct({ReadOnlySpan} transposedWeights, {ReadOnlySpan} x, int xStride, {Span} y, int yStride, int count, float sign)");
        writer.Line("int r = 0;");
        if (vector.HasValue)
        {
            string v = Intrinsics + vector.Value.Type;
            writer.Open($"if (count > 1 && {v}.IsHardwareAccelerated)");
            writer.Lines($$"""
                ref float w = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(transposedWeights);
                ref float xs = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
                ref float ys = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
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
            foreach (int block in ProductBlocks) EmitProductBlock(writer, p, v, vector.Value.Width, block);
        }
    }

    /// <summary>The vector type of the panel product: the widest whose width divides P, or none.</summary>
    internal static (string Type, int Width)? ProductVector(int p)
    {
        foreach (var candidate in KernelEmitter.Widths(p))
            if (p % candidate.Width == 0) return candidate;
        return null;
    }

    private static void EmitProductBlock(CodeWriter writer, int p, string v, int width, int vectors)
    {
        int chunks = p / width % 2 == 0 ? 2 : 1;
        writer.Line($"/// <summary><see cref=\"AddProduct\"/> for {I(vectors)} vectors: {I(vectors * chunks)} accumulators over {I(chunks)} row chunk(s) of {I(width)}.</summary>");
        writer.Open($"private static void AddProductBlock{I(vectors)}(ref float w, ref float x, int xStride, ref float y, int yStride, {v}<float> signs)");
        for (int r = 0; r < vectors; r++)
        {
            string previousX = r == 0 ? "x" : $"x{I(r - 1)}", previousY = r == 0 ? "y" : $"y{I(r - 1)}";
            writer.Line($"ref float x{I(r)} = ref {(r == 0 ? "x" : $"{Unsafe}.Add(ref {previousX}, xStride)")};");
            writer.Line($"ref float y{I(r)} = ref {(r == 0 ? "y" : $"{Unsafe}.Add(ref {previousY}, yStride)")};");
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

    /// <summary>Vectors of one wide sweep (<see cref="EmitWideSweeps"/>): eight, when P is 16 or 32, so that their
    /// P/16 Vector512 registers each fill half of the 32 vector registers.</summary>
    internal static int WideSweeps(int p) => p % 16 == 0 && p <= 32 ? 8 : 1;

    /// <summary><c>v_r = G⁻¹ v_r</c> for the panel: eight vectors at a time through the wide sweeps, then four
    /// through the interleaved register sweeps (<see cref="KernelEmitter.InterleavedSweeps"/>), the rest one by one.</summary>
    private static void EmitLuSolve(CodeWriter writer, int p)
    {
        int interleaved = KernelEmitter.InterleavedSweeps(p), wide = WideSweeps(p);
        const string Parameters = "global::System.ReadOnlySpan<float> triangles, global::System.ReadOnlySpan<float> inverseDiagonal, global::System.ReadOnlySpan<int> ipiv, global::System.Span<float> v, int stride";
        writer.Line("/// <summary><c>v_r = G⁻¹ v_r</c> for <paramref name=\"count\"/> vectors, v_r at <c>r · stride</c>.</summary>");
        writer.Open($"private static void LuSolve({Parameters}, int count)");
        writer.Line("int r = 0;");
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
            EmitPanelPrologue(writer, vectors);
            sweeps();
            writer.Close();
            writer.Line();
        }

        if (interleaved > 1)
            EmitPanelSolve("LuSolveInterleaved", interleaved,
                $"<see cref=\"LuSolveSingle\"/> for {I(interleaved)} vectors <paramref name=\"stride\"/> apart, their sweeps interleaved step by step.",
                () => KernelEmitter.EmitRegisterSweeps(writer, p, transposed: false, vectors: interleaved));
        if (wide > 1)
            EmitPanelSolve("LuSolveWide", wide,
                $"<c>v_r = G⁻¹ v_r</c> for {I(wide)} vectors <paramref name=\"stride\"/> apart (see the emitter's EmitWideSweeps).",
                () => EmitWideSweeps(writer, p, wide));
    }

    private static void EmitPanelPrologue(CodeWriter writer, int vectors)
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
        KernelEmitter.EmitLuPrologue(writer);
        for (int r = 0; r < vectors; r++)
            writer.Line($"ref float v{I(r)} = ref {(r == 0 ? "z" : $"{Unsafe}.Add(ref v{I(r - 1)}, stride)")};");
    }

    /// <summary>
    /// The two sweeps for <paramref name="vectors"/> vectors held in P/16 Vector512 registers each. Step k
    /// broadcasts lane k of every vector with one permute and adds a column of the factor times it, so the chain
    /// from one step to the next is a permute and an FMA; the column (negated, and for U scaled by 1/u_kk) is
    /// prepared off that chain. U's diagonal is applied at the end, to all lanes at once: lane k is final when
    /// step k reads it, and no later step writes it, so the sweep carries the unscaled values and each update
    /// uses (u_ik / u_kk) times the unscaled lane k. Each step is a block of its own, so the C# compiler reuses the
    /// same few locals for every step and the JIT keeps the method fully optimized.
    /// </summary>
    internal static void EmitWideSweeps(CodeWriter writer, int p, int vectors)
    {
        int chunks = p / 16;
        const string V = Intrinsics + "Vector512";
        string Z(int r, int c) => $"z{I(r)}_{I(c)}";
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++) writer.Line($"var {Z(r, c)} = {V}.LoadUnsafe(ref v{I(r)}, {I(16 * c)});");

        void Step(int k, int firstChunk, int endChunk, string? prelude, System.Func<int, string> column)
        {
            writer.OpenBlock();
            if (prelude is not null) writer.Line(prelude);
            writer.Line($"var index = {V}.Create({I(k % 16)});");
            for (int c = firstChunk; c < endChunk; c++) writer.Line($"var column{I(c)} = {column(c)};");
            for (int r = 0; r < vectors; r++)
            {
                writer.Line($"var lane{I(r)} = {V}.Shuffle({Z(r, k / 16)}, index);");
                for (int c = firstChunk; c < endChunk; c++) writer.Line($"{Z(r, c)} = MultiplyAdd(column{I(c)}, lane{I(r)}, {Z(r, c)});");
            }
            writer.Close();
        }

        writer.Line("// Unit-lower forward sweep: column k updates the rows below k.");
        for (int k = 0; k < p - 1; k++)
            Step(k, (k + 1) / 16, chunks, null, c => $"-{V}.LoadUnsafe(ref l, {I(k * p + 16 * c)})");
        writer.Line("// Upper backward sweep on unscaled values: column k, times −1/u_kk, updates the rows above k.");
        for (int k = p - 1; k >= 1; k--)
            Step(k, 0, (k + 15) / 16, $"var scale = {V}.Create(-{Unsafe}.Add(ref d, {I(k)}));", c => $"{V}.LoadUnsafe(ref u, {I(k * p + 16 * c)}) * scale");
        writer.Line("// U's diagonal, for every lane at once.");
        for (int c = 0; c < chunks; c++) writer.Line($"var inverse{I(c)} = {V}.LoadUnsafe(ref d, {I(16 * c)});");
        for (int r = 0; r < vectors; r++)
            for (int c = 0; c < chunks; c++) writer.Line($"{V}.StoreUnsafe({Z(r, c)} * inverse{I(c)}, ref v{I(r)}, {I(16 * c)});");
    }

    private static string Plus(int offset) => offset == 0 ? "" : " + " + I(offset);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

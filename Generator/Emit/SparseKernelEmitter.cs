using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GenLu.Generator.Embedding;

namespace GenLu.Generator.Emit;

/// <summary>
/// The kernels of a model's sparse patterns (<see cref="SparsePatterns"/>): for each product pattern
/// <c>AddProductSparse{q}</c> and <c>AddTransposedProductSparse{q}</c>, for each solve pattern <c>LuSolveSparse{q}</c>
/// and <c>LuSolveTransposedSparse{q}</c>, with the arguments of the dense panel kernels they replace (a solve pattern's
/// blocks are unpermuted, so no pivots). Each is one statement per non-zero entry for each vector of the panel; the
/// positions are constants and the values are read from the embedded data, which stays dense. The looped form gets a
/// dispatcher per kind that selects the kernel by the pattern number in the step's code.
/// </summary>
internal static class SparseKernelEmitter
{
    private const string Unsafe = SimdHelperEmitter.Unsafe;
    private const string GetReference = "global::System.Runtime.InteropServices.MemoryMarshal.GetReference";

    /// <summary>A product kernel's name, or with pattern -1 its dispatcher's.</summary>
    public static string ProductName(bool transposed, int pattern) => (transposed ? "AddTransposedProductSparse" : "AddProductSparse") + Suffix(pattern);

    /// <summary>A solve kernel's name, or with pattern -1 its dispatcher's.</summary>
    public static string SolveName(bool transposed, int pattern) => (transposed ? "LuSolveTransposedSparse" : "LuSolveSparse") + Suffix(pattern);

    private static string Suffix(int pattern) => pattern < 0 ? "" : I(pattern);

    public static void Emit(CodeWriter writer, SparsePatterns sparsity, int p, ElementType element, bool looped)
    {
        for (int q = 0; q < sparsity.Products.Length; q++)
        {
            EmitProduct(writer, sparsity.Products[q], q, p, element, transposed: false);
            EmitProduct(writer, sparsity.Products[q], q, p, element, transposed: true);
        }
        for (int q = 0; q < sparsity.SolveLower.Length; q++)
        {
            EmitSolve(writer, sparsity.SolveLower[q], sparsity.SolveUpper[q], q, p, element, transposed: false);
            EmitSolve(writer, sparsity.SolveLower[q], sparsity.SolveUpper[q], q, p, element, transposed: true);
        }
        if (looped) EmitDispatchers(writer, sparsity, element);
    }

    private static string ProductParameters(ElementType element) =>
        $"{element.ReadOnlySpan} transposedWeights, {element.ReadOnlySpan} x, int xStride, {element.Span} y, int yStride, int count, {element.Keyword} sign";

    private static string SolveParameters(ElementType element) =>
        $"{element.ReadOnlySpan} triangles, {element.ReadOnlySpan} inverseDiagonal, {element.Span} v, int stride, int count";

    /// <summary><c>y_r += sign · W x_r</c> (or <c>Wᵀ</c>): each output entry that the pattern reaches gets one sum.</summary>
    private static void EmitProduct(CodeWriter writer, int[] positions, int pattern, int p, ElementType element, bool transposed)
    {
        string t = element.Keyword;
        writer.Line($"/// <summary><c>y_r += sign · W{(transposed ? "ᵀ" : "")} x_r</c> for the tensors of sparse pattern {I(pattern)}: {I(positions.Length)} of {I(p * p)} entries non-zero.</summary>");
        writer.Open($"private static void {ProductName(transposed, pattern)}({ProductParameters(element)})");
        writer.Lines($$"""
            ref {{t}} w = ref {{GetReference}}(transposedWeights);
            ref {{t}} x0 = ref {{GetReference}}(x);
            ref {{t}} y0 = ref {{GetReference}}(y);
            """);
        writer.Open("for (int r = 0; r < count; r++)");
        writer.Line($"ref {t} xs = ref {Unsafe}.Add(ref x0, r * xStride);");
        writer.Line($"ref {t} ys = ref {Unsafe}.Add(ref y0, r * yStride);");
        // A position is column · P + row of W[row, column]: W x sums along a row, Wᵀ x along a column.
        foreach (var output in positions.GroupBy(position => transposed ? position / p : position % p).OrderBy(group => group.Key))
        {
            var terms = output.Select(position => $"{Unsafe}.Add(ref w, {I(position)}) * {Unsafe}.Add(ref xs, {I(transposed ? position % p : position / p)})");
            writer.Line($"{Unsafe}.Add(ref ys, {I(output.Key)}) += sign * ({string.Join(" + ", terms)});");
        }
        writer.Close();
        writer.Close();
        writer.Line();
    }

    /// <summary>
    /// <c>v_r = G⁻¹ v_r</c> (getrs without swaps) or <c>G⁻ᵀ v_r</c> row by row, with <c>G = L U</c>: L unit lower
    /// (its strict triangle first in <c>triangles</c>, entry (row, column) at <c>column · P + row</c>), U's strict
    /// triangle second and the reciprocals of its diagonal in <c>inverseDiagonal</c>. The block's P entries live in
    /// locals from the first load to the last store: a bidiagonal block's sweep is a chain of P dependent steps, and
    /// each one going through memory would add a store-to-load forwarding to it (measured at N = 4,096: 46 µs per solve
    /// of the exact 1D Laplacian through memory, against the locals' figure in docs/benchmarks/generated-solve.md).
    /// </summary>
    private static void EmitSolve(CodeWriter writer, int[] lower, int[] upper, int pattern, int p, ElementType element, bool transposed)
    {
        string t = element.Keyword;
        string fma = (element.ByteSize == 8 ? "global::System.Math" : "global::System.MathF") + ".FusedMultiplyAdd";
        writer.Line($"/// <summary><c>v_r = G⁻{(transposed ? "ᵀ" : "¹")} v_r</c> for the blocks of sparse pattern {I(pattern)} (unpermuted): {I(lower.Length)} entries below the unit diagonal of L, {I(upper.Length)} above U's.</summary>");
        writer.Open($"private static void {SolveName(transposed, pattern)}({SolveParameters(element)})");
        writer.Lines($$"""
            ref {{t}} l = ref {{GetReference}}(triangles);
            ref {{t}} u = ref {{Unsafe}}.Add(ref l, TensorSize);
            ref {{t}} d = ref {{GetReference}}(inverseDiagonal);
            ref {{t}} v0 = ref {{GetReference}}(v);
            """);
        writer.Open("for (int r = 0; r < count; r++)");
        writer.Line($"ref {t} z = ref {Unsafe}.Add(ref v0, r * stride);");
        for (int i = 0; i < p; i++) writer.Line($"{t} z{I(i)} = {Unsafe}.Add(ref z, {I(i)});");
        // Row i of a triangular system as its entries (position, k): the unknown z_k it multiplies.
        Dictionary<int, List<(int Position, int Other)>> Rows(int[] positions, bool byRow) => positions
            .GroupBy(position => byRow ? position % p : position / p)
            .ToDictionary(group => group.Key, group => group.Select(position => (position, byRow ? position / p : position % p)).ToList());
        string Eliminated(string factor, int i, List<(int Position, int Other)>? terms) => terms is null
            ? $"z{I(i)}"
            : terms.Aggregate($"z{I(i)}", (sum, term) => $"{fma}(-{Unsafe}.Add(ref {factor}, {I(term.Position)}), z{I(term.Other)}, {sum})");
        void Unit(Dictionary<int, List<(int Position, int Other)>> rows, int i)
        {
            if (rows.TryGetValue(i, out var terms)) writer.Line($"z{I(i)} = {Eliminated("l", i, terms)};");
        }
        void Scaled(Dictionary<int, List<(int Position, int Other)>> rows, int i)
        {
            rows.TryGetValue(i, out var terms);
            writer.Line($"z{I(i)} = {Eliminated("u", i, terms)} * {Unsafe}.Add(ref d, {I(i)});");
        }

        if (!transposed)
        {
            // L y = v forward (row i of L holds the entries (i, k), k < i), then U z = y backward with U's reciprocals.
            var lowerRows = Rows(lower, byRow: true);
            var upperRows = Rows(upper, byRow: true);
            for (int i = 0; i < p; i++) Unit(lowerRows, i);
            for (int i = p - 1; i >= 0; i--) Scaled(upperRows, i);
        }
        else
        {
            // Uᵀ y = v forward (row i of Uᵀ holds U's column i above the diagonal), then Lᵀ z = y backward.
            var upperColumns = Rows(upper, byRow: false);
            var lowerColumns = Rows(lower, byRow: false);
            for (int i = 0; i < p; i++) Scaled(upperColumns, i);
            for (int i = p - 1; i >= 0; i--) Unit(lowerColumns, i);
        }
        for (int i = 0; i < p; i++) writer.Line($"{Unsafe}.Add(ref z, {I(i)}) = z{I(i)};");
        writer.Close();
        writer.Close();
        writer.Line();
    }

    /// <summary>The looped form's selection of a sparse kernel by the pattern number in a step's code (see RunSteps).</summary>
    private static void EmitDispatchers(CodeWriter writer, SparsePatterns sparsity, ElementType element)
    {
        void Dispatcher(string name, string parameters, string arguments, int patterns, System.Func<int, string> kernel)
        {
            writer.Line($"/// <summary>Runs <c>{name}{{pattern}}</c>.</summary>");
            writer.Open($"private static void {name}(int pattern, {parameters})");
            writer.Open("switch (pattern)");
            for (int q = 0; q < patterns; q++) writer.Line($"case {I(q)}: {kernel(q)}({arguments}); break;");
            writer.Line("default: throw new global::System.InvalidOperationException(\"A step names a sparse pattern this class does not have.\");");
            writer.Close();
            writer.Close();
            writer.Line();
        }

        foreach (bool transposed in new[] { false, true })
        {
            if (sparsity.Products.Length > 0)
                Dispatcher(ProductName(transposed, pattern: -1), ProductParameters(element), "transposedWeights, x, xStride, y, yStride, count, sign",
                    sparsity.Products.Length, q => ProductName(transposed, q));
            if (sparsity.SolveLower.Length > 0)
                Dispatcher(SolveName(transposed, pattern: -1), SolveParameters(element), "triangles, inverseDiagonal, v, stride, count",
                    sparsity.SolveLower.Length, q => SolveName(transposed, q));
        }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

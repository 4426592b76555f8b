using System.Globalization;
using System.Text;
using System.Linq;
using GenLu.Generator.Embedding;
using GenLu.Generator.Model;
using GenLu.Structure;

namespace GenLu.Generator.Emit;

/// <summary>
/// Embeds the weights, the LU factors and the pivots as <c>ReadOnlySpan&lt;uint&gt;</c> (<c>ulong</c> for a double
/// solver) / <c>ReadOnlySpan&lt;int&gt;</c> properties over constant collection expressions. The compiler stores them in the assembly's data section and
/// reads them through <c>RuntimeHelpers.CreateSpan</c> (.NET 7+), so access costs no allocation, no file I/O and
/// no start-up work, and trimming/AOT keep them as plain data. Each float is written as its IEEE bit pattern,
/// <c>0x3F800000</c> for 1 (<c>0x3FF0000000000000</c> as a double): CreateSpan fixes the byte order on a big-endian
/// machine, and a float shares the byte order of a uint (a double that of a ulong), so <c>MemoryMarshal.Cast&lt;uint, float&gt;</c>
/// is right on every platform. One element per
/// float rather than four bytes also makes the source 45 % smaller and about five times faster to compile.
/// </summary>
internal static class DataEmitter
{
    private const int WordsPerLine = 16;

    /// <param name="stepTables">The plans' step tables of the looped form (null when the schedules are unrolled).</param>
    /// <param name="element">The solver's number type: the content's numbers are exactly of this type.</param>
    /// <param name="lowerOffsets">Where each of L's tensors starts in the weights (<see cref="EmbeddedDataLayout.TensorOffsets"/>).</param>
    /// <param name="upperOffsets">The same for U's, after L's.</param>
    public static void Emit(CodeWriter writer, WeightContent content, int[][]? stepTables, ElementType element, int[] lowerOffsets, int[] upperOffsets)
    {
        int p = content.P;
        string cast = $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<{element.BitsType}, {element.Keyword}>";

        writer.Line($"private static {element.ReadOnlySpan} Weights => {cast}(WeightBits);");
        writer.Line($"private static {element.ReadOnlySpan} Factors => {cast}(FactorBits);");
        writer.Line($"private static {element.ReadOnlySpan} InverseDiagonals => {cast}(InverseDiagonalBits);");
        writer.Line();

        writer.Line("/// <summary>L's stored (non-zero) tensors, then U's, each in the order its solve reads them; each P x P tensor column-major (transposed).</summary>");
        var words = Begin(writer, element.BitsType, "WeightBits", element);
        AppendTransposed(words, content.Lower, EmbeddedDataLayout.StoredPositions(lowerOffsets, 0, p * p), p);
        AppendTransposed(words, content.Upper, EmbeddedDataLayout.StoredPositions(upperOffsets, content.LowerWeightCount, p * p), p);
        End(writer, words);
        writer.Line();

        writer.Line("/// <summary>Per diagonal block G_i (L's G_0 … G_{M-1}, then U's): the strictly lower part of its unit-lower LU factor, then the");
        writer.Line("/// strictly upper part of U, each column-major P x P with zeros elsewhere, so the triangular sweeps run on whole vectors.</summary>");
        words = Begin(writer, element.BitsType, "FactorBits", element);
        AppendTriangles(words, content.LowerDiagonal.FactorsColumnMajor, p);
        AppendTriangles(words, content.UpperDiagonal.FactorsColumnMajor, p);
        End(writer, words);
        writer.Line();

        writer.Line($"/// <summary>The {element.Keyword} reciprocals of U's diagonal of every G_i's LU factors, P per block, in the order above: the sweeps");
        writer.Line("/// multiply instead of dividing (a division's latency sits on the sweep's dependency chain).</summary>");
        words = Begin(writer, element.BitsType, "InverseDiagonalBits", element);
        foreach (double reciprocal in content.LowerDiagonal.InverseDiagonal) words.AppendNumber(reciprocal);
        foreach (double reciprocal in content.UpperDiagonal.InverseDiagonal) words.AppendNumber(reciprocal);
        End(writer, words);
        writer.Line();

        writer.Line("/// <summary>Zero-based LAPACK pivots (row k was swapped with row ipiv[k]) of the factors above, P per block.</summary>");
        words = Begin(writer, "int", "Pivots", element);
        foreach (int pivot in content.LowerDiagonal.Pivots) words.AppendInt32(pivot);
        foreach (int pivot in content.UpperDiagonal.Pivots) words.AppendInt32(pivot);
        End(writer, words);

        if (stepTables is null) return;
        writer.Line();
        EmitStepTableIndex(writer, stepTables.Select(table => table.Length).ToArray());
        writer.Line("/// <summary>The eight plans' step tables, one after another (see RunSteps).</summary>");
        words = Begin(writer, "int", "Steps", element);
        foreach (var table in stepTables)
            foreach (int value in table) words.AppendInt32(value);
        End(writer, words);
    }

    /// <summary>Where each plan's step table starts in <c>Steps</c> and how long it is; <c>StepTable(i)</c> is plan i's.</summary>
    internal static void EmitStepTableIndex(CodeWriter writer, int[] lengths)
    {
        var starts = new int[lengths.Length];
        for (int i = 1; i < lengths.Length; i++) starts[i] = starts[i - 1] + lengths[i - 1];
        writer.Line($"private static global::System.ReadOnlySpan<int> StepTableStarts => [{string.Join(", ", starts.Select(I))}];");
        writer.Line($"private static global::System.ReadOnlySpan<int> StepTableLengths => [{string.Join(", ", lengths.Select(I))}];");
        writer.Line("private static global::System.ReadOnlySpan<int> StepTable(int plan) => Steps.Slice(StepTableStarts[plan], StepTableLengths[plan]);");
        writer.Line();
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The stored tensors (ascending, row-major) in the embedded order, each transposed.</summary>
    private static void AppendTransposed(WordSink sink, EquatableArray<double> tensors, int[] storedPositions, int p)
    {
        int size = p * p;
        var transposed = new double[size];
        foreach (int position in storedPositions)
        {
            EmbeddedDataLayout.Transpose(tensors.AsSpan().Slice(position * size, size), p, transposed);
            foreach (double value in transposed) sink.AppendNumber(value);
        }
    }

    /// <summary>The column-major in-place factors split into padded strict triangles (see FactorBits).</summary>
    private static void AppendTriangles(WordSink sink, EquatableArray<double> factorsColumnMajor, int p)
    {
        var triangles = new double[2 * factorsColumnMajor.Count];
        EmbeddedDataLayout.SplitTriangles(factorsColumnMajor.AsSpan(), p, triangles);
        foreach (double value in triangles) sink.AppendNumber(value);
    }

    private static WordSink Begin(CodeWriter writer, string elementType, string name, ElementType element)
    {
        writer.Line($"private static global::System.ReadOnlySpan<{elementType}> {name} =>");
        writer.Line("[");
        return new WordSink(writer.Builder, writer.NestedIndent(), element);
    }

    private static void End(CodeWriter writer, WordSink sink)
    {
        sink.EndLine();
        writer.Line("];");
    }

    /// <summary>Writes comma-separated elements, <see cref="WordsPerLine"/> to a line.</summary>
    private sealed class WordSink(StringBuilder builder, string indent, ElementType element)
    {
        private const string HexDigits = "0123456789ABCDEF";
        private int onLine;

        /// <summary>The number's IEEE 754 bits in the solver's type as <c>0xXXXXXXXX</c> (16 digits for a double; exact,
        /// culture-free). The value is exactly of that type (a float solver's numbers are floats widened to double).</summary>
        public unsafe void AppendNumber(double value)
        {
            ulong bits;
            if (element.ByteSize == 4)
            {
                float single = (float)value;
                bits = *(uint*)&single;
            }
            else bits = *(ulong*)&value;
            StartElement();
            builder.Append("0x");
            for (int shift = 8 * element.ByteSize - 4; shift >= 0; shift -= 4) builder.Append(HexDigits[(int)(bits >> shift) & 15]);
            EndElement();
        }

        public void AppendInt32(int value)
        {
            StartElement();
            builder.Append(value.ToString(CultureInfo.InvariantCulture));
            EndElement();
        }

        public void EndLine()
        {
            if (onLine > 0) builder.Append('\n');
            onLine = 0;
        }

        private void StartElement()
        {
            if (onLine == 0) builder.Append(indent);
        }

        private void EndElement()
        {
            builder.Append(',');
            if (++onLine == WordsPerLine) EndLine();
        }
    }
}

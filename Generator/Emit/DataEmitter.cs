using System.Text;
using GenLu.Generator.Model;

namespace GenLu.Generator.Emit;

/// <summary>
/// Embeds the weights, the LU factors and the pivots as <c>ReadOnlySpan&lt;byte&gt;</c> properties over constant
/// collection expressions: the compiler stores them in the assembly's data section, so reading them costs no
/// allocation, no file I/O and no start-up work, and trimming/AOT keep them as plain data. The bytes are
/// little-endian; the generated entry points refuse big-endian platforms.
/// </summary>
internal static class DataEmitter
{
    private const int BytesPerLine = 64;
    private static readonly string[] HexBytes = BuildHexBytes();

    public static void Emit(CodeWriter writer, WeightContent content)
    {
        int p = content.P;

        writer.Line("private static global::System.ReadOnlySpan<float> Weights => global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(WeightBytes);");
        writer.Line("private static global::System.ReadOnlySpan<float> Factors => global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(FactorBytes);");
        writer.Line("private static global::System.ReadOnlySpan<int> Pivots => global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(PivotBytes);");
        writer.Line();

        writer.Line("/// <summary>L's tensors, then U's, in GfmmLayout order; each P x P tensor column-major (transposed).</summary>");
        BeginBlob(writer, "WeightBytes");
        var bytes = new ByteSink(writer.Builder, writer.NestedIndent());
        AppendTransposed(bytes, content.Lower, p);
        AppendTransposed(bytes, content.Upper, p);
        EndBlob(writer, bytes);
        writer.Line();

        writer.Line("/// <summary>LU factors (unit L below the diagonal, U on and above) of L's G_0 … G_{M-1}, then U's, each column-major.</summary>");
        BeginBlob(writer, "FactorBytes");
        bytes = new ByteSink(writer.Builder, writer.NestedIndent());
        AppendTransposed(bytes, content.LowerFactors, p);
        AppendTransposed(bytes, content.UpperFactors, p);
        EndBlob(writer, bytes);
        writer.Line();

        writer.Line("/// <summary>Zero-based LAPACK pivots (row k was swapped with row ipiv[k]) of the factors above, P per block, as int32.</summary>");
        BeginBlob(writer, "PivotBytes");
        bytes = new ByteSink(writer.Builder, writer.NestedIndent());
        foreach (int pivot in content.LowerPivots) bytes.AppendInt32(pivot);
        foreach (int pivot in content.UpperPivots) bytes.AppendInt32(pivot);
        EndBlob(writer, bytes);
    }

    private static void AppendTransposed(ByteSink sink, EquatableArray<float> tensors, int p)
    {
        var values = tensors.AsSpan();
        int size = p * p;
        for (int start = 0; start < values.Length; start += size)
            for (int column = 0; column < p; column++)
                for (int row = 0; row < p; row++)
                    sink.AppendSingle(values[start + row * p + column]);
    }

    private static void BeginBlob(CodeWriter writer, string name)
    {
        writer.Line($"private static global::System.ReadOnlySpan<byte> {name} =>");
        writer.Line("[");
    }

    private static void EndBlob(CodeWriter writer, ByteSink sink)
    {
        sink.EndLine();
        writer.Line("];");
    }

    private static string[] BuildHexBytes()
    {
        const string digits = "0123456789ABCDEF";
        var table = new string[256];
        for (int b = 0; b < 256; b++) table[b] = "0x" + digits[b >> 4] + digits[b & 15] + ",";
        return table;
    }

    /// <summary>Writes bytes as <c>0xAB,</c>, <see cref="BytesPerLine"/> to a line.</summary>
    private sealed class ByteSink(StringBuilder builder, string indent)
    {
        private int onLine;

        public unsafe void AppendSingle(float value) => AppendInt32(*(int*)&value);

        public void AppendInt32(int value)
        {
            // Little-endian whatever the generating machine is: the lowest byte first.
            Append((byte)value);
            Append((byte)(value >> 8));
            Append((byte)(value >> 16));
            Append((byte)(value >> 24));
        }

        public void EndLine()
        {
            if (onLine > 0) builder.Append('\n');
            onLine = 0;
        }

        private void Append(byte value)
        {
            if (onLine == 0) builder.Append(indent);
            builder.Append(HexBytes[value]);
            if (++onLine == BytesPerLine) EndLine();
        }
    }
}

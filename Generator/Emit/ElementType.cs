using System.Globalization;
using GenLu.Structure;

namespace GenLu.Generator.Emit;

/// <summary>
/// The number type a generated solver computes in (the weight file's dtype, or the attribute's <c>Precision</c>): everything
/// the emitters print differently for float and double — the keyword, the lanes of each vector width, literals and the
/// IEEE bit pattern the literal data is written as. Every emitter takes one of these instead of spelling <c>float</c>, so
/// the float and double solvers come from the same templates.
/// </summary>
internal sealed class ElementType
{
    public static readonly ElementType Single = new(GfmmDtype.Float32, "float", 4, "f", "uint");
    public static readonly ElementType Double = new(GfmmDtype.Float64, "double", 8, "d", "ulong");

    private ElementType(GfmmDtype dtype, string keyword, int byteSize, string literalSuffix, string bitsType)
    {
        Dtype = dtype;
        Keyword = keyword;
        ByteSize = byteSize;
        LiteralSuffix = literalSuffix;
        BitsType = bitsType;
    }

    public static ElementType Of(GfmmDtype dtype) => dtype == GfmmDtype.Float64 ? Double : Single;

    public GfmmDtype Dtype { get; }

    /// <summary><c>float</c> or <c>double</c>.</summary>
    public string Keyword { get; }

    /// <summary>Bytes per number (4 or 8).</summary>
    public int ByteSize { get; }

    /// <summary>The literal suffix, <c>f</c> or <c>d</c>.</summary>
    public string LiteralSuffix { get; }

    /// <summary>The unsigned integer of the same size, whose literals hold the IEEE bit patterns of the data (<c>uint</c>, <c>ulong</c>).</summary>
    public string BitsType { get; }

    /// <summary><c>floats</c> or <c>doubles</c>, for the generated documentation and messages.</summary>
    public string Plural => Keyword + "s";

    /// <summary><c>Floats</c> or <c>Doubles</c>, to start a sentence.</summary>
    public string CapitalizedPlural => char.ToUpperInvariant(Keyword[0]) + Keyword.Substring(1) + "s";

    /// <summary>A double-valued expression as this type: a cast to float, or the expression itself.</summary>
    public string FromDouble(string expression) => ByteSize == 8 ? expression : "(float)" + expression;

    public string ReadOnlySpan => "global::System.ReadOnlySpan<" + Keyword + ">";

    public string Span => "global::System.Span<" + Keyword + ">";

    /// <summary>Lanes of a vector of <paramref name="bits"/> bits (Vector512 holds 16 floats or 8 doubles).</summary>
    public int Lanes(int bits) => bits / 8 / ByteSize;

    /// <summary>An integer as a literal of this type: <c>1f</c>, <c>-1d</c>.</summary>
    public string Literal(int value) => value.ToString(CultureInfo.InvariantCulture) + LiteralSuffix;

    /// <summary>A lane index of <c>Vector512.Shuffle</c>, whose index vector has elements as wide as the data's (int or long).</summary>
    public string LaneIndex(int lane) => lane.ToString(CultureInfo.InvariantCulture) + (ByteSize == 8 ? "L" : "");
}

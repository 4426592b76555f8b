// Shared source: compiled into GenLu.Generator (netstandard2.0) and the genlu-embed build tool (net10.0).
using System;
using GenLu.Format;

namespace GenLu.Generator.Embedding;

/// <summary>How a rejected weight file is reported, whether the generator read it or the build step did: the GLU id
/// for each way the shared reader rejects a file, and the message detail (so both report the same text).</summary>
internal static class WeightFileProblems
{
    public const string MalformedId = "GLU002";
    public const string SingularBlockId = "GLU008";

    public static string IdFor(GfmmFormatError error) => error switch
    {
        GfmmFormatError.Json or GfmmFormatError.Truncated or GfmmFormatError.Base64 => MalformedId,
        GfmmFormatError.Field or GfmmFormatError.Format or GfmmFormatError.Version or GfmmFormatError.Dtype => "GLU003",
        GfmmFormatError.Shape => "GLU004",
        GfmmFormatError.MissingTensor or GfmmFormatError.UnexpectedTensor or GfmmFormatError.RootNotZero => "GLU005",
        GfmmFormatError.NonFinite or GfmmFormatError.Scale => "GLU006",
        GfmmFormatError.Checksum => "GLU007",
        _ => MalformedId,
    };

    /// <summary>The field and the exception's message without its generic prefix (the diagnostic adds its own).</summary>
    public static string Detail(GfmmFormatException e)
    {
        string prefix = "Invalid GFMM weight file: " + e.Field + ": ";
        return e.Field + ": " + (e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message.Substring(prefix.Length) : e.Message);
    }
}

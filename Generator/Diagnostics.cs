using Microsoft.CodeAnalysis;
using GenLu.Format;

namespace GenLu.Generator;

/// <summary>The generator's diagnostics. The table of IDs lives in AnalyzerReleases.Shipped.md and
/// docs/generator.md; every diagnostic points at the <c>[GfmmSolver]</c> attribute.</summary>
internal static class Diagnostics
{
    private const string Category = "GenLu.Generator";

    public static readonly DiagnosticDescriptor WeightFileNotFound = Error("GLU001", "GFMM weight file not found",
        "The GFMM weight file '{0}' is not among the AdditionalFiles: {1}");

    public static readonly DiagnosticDescriptor MalformedWeightFile = Error("GLU002", "Malformed GFMM weight file",
        "The GFMM weight file '{0}' is malformed: {1}");

    public static readonly DiagnosticDescriptor UnsupportedWeightFile = Error("GLU003", "Unsupported GFMM weight file format or version",
        "The GFMM weight file '{0}' has an unsupported format or version: {1}");

    public static readonly DiagnosticDescriptor InvalidShape = Error("GLU004", "Invalid GFMM model shape",
        "The GFMM weight file '{0}' has an invalid shape: {1}");

    public static readonly DiagnosticDescriptor TensorSetMismatch = Error("GLU005", "Missing or unexpected GFMM tensors",
        "The GFMM weight file '{0}' does not hold exactly the tensors of its model: {1}");

    public static readonly DiagnosticDescriptor InvalidNumber = Error("GLU006", "Non-finite GFMM weight or invalid scale",
        "The GFMM weight file '{0}' holds an invalid number: {1}");

    public static readonly DiagnosticDescriptor ChecksumMismatch = Error("GLU007", "GFMM weight file checksum mismatch",
        "The GFMM weight file '{0}' fails its checksum: {1}");

    public static readonly DiagnosticDescriptor SingularDiagonalBlock = Error("GLU008", "Singular GFMM diagonal block",
        "The GFMM weight file '{0}' cannot be solved: {1}");

    public static readonly DiagnosticDescriptor TargetNotStaticPartial = Error("GLU009", "GFMM solver target must be a static partial class",
        "'{0}' must be declared 'static partial' (and every type that contains it 'partial') to receive the generated GFMM solver");

    /// <summary>Limits in <see cref="Parsing.GeneratedSize"/>.</summary>
    public static readonly DiagnosticDescriptor ModelTooLarge = new("GLU010", "GFMM model too large to embed sensibly",
        "The GFMM model '{0}' embeds {1} bytes of weights and LU factors and generates about {2} M characters of source (warning limits: {3} bytes, {4} M characters), which slows every build. Embed it as a resource (GenLuEmbed=\"Resource\" on its AdditionalFiles item, with GenLu.Generator.targets imported) or load it at run time with GenLu.Gfmm.GfmmModel.Load.",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    /// <summary>Checked from the header's M and P before any tensor is decoded; limit in <see cref="Parsing.GeneratedSize"/>.</summary>
    public static readonly DiagnosticDescriptor ModelTooLargeToGenerate = Error("GLU011", "GFMM model too large to generate",
        "The GFMM model '{0}' (M = {1}, P = {2}) would embed up to {3} bytes and generate about {4} M characters of source, more than the limit of {5} M characters; no solver is generated. Embed it as a resource instead (GenLuEmbed=\"Resource\" on its AdditionalFiles item, with GenLu.Generator.targets imported), or load it at run time with GenLu.Gfmm.GfmmModel.Load and GenLu.Gfmm.GfmmSolver.");

    /// <summary>The build step's manifest of a model embedded as a resource (Parsing/ManifestReader).</summary>
    public static readonly DiagnosticDescriptor UnusableEmbeddedData = Error("GLU012", "Unusable embedded GFMM data",
        "The GFMM weight file '{0}' was embedded as a resource, but the build step's manifest '{1}' cannot be used: {2}. Rebuild with the GenLu.Generator package's build step and generator of one version.");

    /// <summary>The generated code reads a resource through a pointer (GenLu.Generator.targets sets AllowUnsafeBlocks).</summary>
    public static readonly DiagnosticDescriptor EmbeddedDataNeedsUnsafe = Error("GLU013", "Embedded GFMM data needs unsafe code",
        "The GFMM weight file '{0}' is embedded as a resource, which the generated code reads in place through a pointer: set <AllowUnsafeBlocks>true</AllowUnsafeBlocks> in the project (GenLu.Generator.targets does so when it embeds a model), or embed the model as source with GenLuEmbed=\"Source\" on its AdditionalFiles item.");

    /// <summary>The attribute's <c>Precision</c> cannot be met for its weight file (Parsing/SolverResolver).</summary>
    public static readonly DiagnosticDescriptor PrecisionMismatch = Error("GLU014", "GFMM solver precision does not fit the weight file",
        "The GFMM solver for '{0}' cannot be generated with the requested precision: {1}.");

    private static readonly DiagnosticDescriptor[] All =
    [
        WeightFileNotFound, MalformedWeightFile, UnsupportedWeightFile, InvalidShape, TensorSetMismatch,
        InvalidNumber, ChecksumMismatch, SingularDiagonalBlock, TargetNotStaticPartial, ModelTooLarge, ModelTooLargeToGenerate,
        UnusableEmbeddedData, EmbeddedDataNeedsUnsafe, PrecisionMismatch,
    ];

    public static DiagnosticDescriptor ById(string id)
    {
        foreach (var descriptor in All)
            if (descriptor.Id == id) return descriptor;
        throw new System.ArgumentOutOfRangeException(nameof(id), id, "Unknown GenLu diagnostic id.");
    }

    /// <summary>The diagnostic for each way the shared reader rejects a file.</summary>
    public static DiagnosticDescriptor ForFormatError(GfmmFormatError error) => ById(Embedding.WeightFileProblems.IdFor(error));

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}

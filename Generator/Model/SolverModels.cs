using GenLu.Structure;

namespace GenLu.Generator.Model;

/// <summary>A class marked <c>[GfmmSolver("…")]</c>, reduced to the plain values the emitter needs.</summary>
/// <param name="Namespace">Containing namespace, or null for the global namespace.</param>
/// <param name="TypeName">The class name as declared, including any type parameter list.</param>
/// <param name="FullName">Fully qualified display name (for messages).</param>
/// <param name="HintName">Unique, file-system-safe name of the generated source.</param>
/// <param name="ContainingTypes">Declarations of the enclosing types, outermost first, e.g. <c>partial class Outer</c>.</param>
/// <param name="IsStaticPartial">The class (and each enclosing type) is partial and the class is static.</param>
/// <param name="ModelPath">The path written in the attribute.</param>
/// <param name="DeclaringDirectory">Directory of the file that carries the attribute.</param>
/// <param name="AttributeLocation">Where the attribute is applied (every diagnostic points there).</param>
/// <param name="Precision">The attribute's <c>Precision</c>: the number type of the generated code, or the weight file's.</param>
internal sealed record SolverTarget(
    string? Namespace,
    string TypeName,
    string FullName,
    string HintName,
    EquatableArray<string> ContainingTypes,
    bool IsStaticPartial,
    string ModelPath,
    string DeclaringDirectory,
    LocationInfo? AttributeLocation,
    RequestedPrecision Precision = RequestedPrecision.FromWeightFile);

/// <summary>The values of the emitted <c>GenLu.GfmmPrecision</c> enum (<see cref="AttributeSource"/>), number for number.</summary>
internal enum RequestedPrecision
{
    /// <summary>float code for a float32 file, double code for a float64 one.</summary>
    FromWeightFile = 0,

    Single = 1,

    Double = 2,
}

/// <summary>The validated weights of one <c>*.gfmm.json</c>, with the factored diagonal blocks <c>G_i</c> of L and U
/// packed at generation time by <see cref="DiagonalBlockFactors{T}"/>, the Runtime's structured solver's own routine.</summary>
/// <param name="Dtype">The number type of the weights and factors here, hence of the generated code: every number below
/// is exactly a value of that type (float32 ones are floats widened to double, which is exact).</param>
/// <param name="N">The operator's order (≤ M · P): the length of every vector of the generated class.</param>
/// <param name="Lower">L's stored (non-zero) tensors one after another, each row-major <c>W[out, in]</c>.</param>
/// <param name="LowerStored">The <see cref="GfmmLayout"/> indices of those tensors, ascending; the others are zero and get no code.</param>
/// <param name="LowerDiagonal">The packed factors of L's <c>G_0 … G_{M-1}</c>.</param>
/// <param name="DeterminantSign">Sign of <c>det(s L U)</c> (see the Runtime's <c>GfmmSolver.LogDeterminant</c>).</param>
/// <param name="LogAbsDeterminant"><c>ln |det(s L U)| = N ln s + Σ ln |det G_i|</c>.</param>
/// <param name="Sparsity">The tensors and blocks that get kernels for their non-zero entries alone (<see cref="Embedding.SparsePatterns"/>).</param>
/// <param name="Resource">Set when the build step embedded the data as a manifest resource: then the generator has read
/// only its manifest, and the weight and factor arrays here are empty.</param>
internal sealed record WeightContent(
    int M,
    int P,
    int N,
    double Scale,
    string Sha256,
    GfmmDtype Dtype,
    EquatableArray<double> Lower,
    EquatableArray<int> LowerStored,
    EquatableArray<double> Upper,
    EquatableArray<int> UpperStored,
    PackedDiagonal LowerDiagonal,
    PackedDiagonal UpperDiagonal,
    int DeterminantSign,
    double LogAbsDeterminant,
    Embedding.SparsePatterns Sparsity,
    ResourceData? Resource = null)
{
    /// <summary>The blocks' order <c>M · P</c>: the generated code pads vectors of order N below it with zeros.</summary>
    public int PaddedN => M * P;

    /// <summary>Bytes of static data the generated class embeds: the stored weights, each G_i's factors as two padded
    /// P x P triangles, the reciprocals of its diagonal and the pivots.</summary>
    public long EmbeddedBytes => Resource is { } resource
        ? Embedding.EmbeddedResourceFormat.Length(resource.Header.AsSpan().ToArray())
        : NumberBytes * (Lower.Count + Upper.Count) + LowerDiagonal.EmbeddedBytes(NumberBytes) + UpperDiagonal.EmbeddedBytes(NumberBytes);

    /// <summary>Bytes per weight or factor: 4 or 8.</summary>
    public int NumberBytes => Dtype == GfmmDtype.Float64 ? 8 : 4;

    /// <summary>Floats of L's stored tensors: U's start after them in the embedded weights.</summary>
    public int LowerWeightCount => LowerStored.Count * P * P;
}

/// <summary>Where the build step put a model's data: the manifest resource's logical name and its header, which the
/// generated code checks word for word at first use (<see cref="Embedding.EmbeddedResourceFormat"/>).</summary>
internal sealed record ResourceData(string Name, EquatableArray<int> Header);

/// <summary>The parts of <see cref="DiagonalBlockFactors"/> the generated code embeds, as equatable values (the
/// incremental pipeline compares them).</summary>
/// <param name="FactorsColumnMajor"><see cref="DiagonalBlockFactors{T}.FactorsTransposed"/>: each block's in-place LU factors column-major.</param>
/// <param name="InverseDiagonal"><see cref="DiagonalBlockFactors{T}.InverseDiagonal"/>, P per block.</param>
/// <param name="Pivots"><see cref="DiagonalBlockFactors{T}.Pivots"/> (LAPACK ipiv, zero-based), P per block.</param>
internal sealed record PackedDiagonal(
    EquatableArray<double> FactorsColumnMajor,
    EquatableArray<double> InverseDiagonal,
    EquatableArray<int> Pivots)
{
    /// <summary>Two padded P x P triangles per block, plus P reciprocals (numbers of <paramref name="numberBytes"/> bytes) and P int32 pivots.</summary>
    public long EmbeddedBytes(int numberBytes) => numberBytes * (2L * FactorsColumnMajor.Count + InverseDiagonal.Count) + 4L * Pivots.Count;
}

/// <summary>Why a weight file cannot be used: a diagnostic id and the arguments that follow the file's
/// path in its message (the path is filled in from the attribute that refers to the file).</summary>
internal sealed record WeightFileProblem(string DiagnosticId, EquatableArray<string> Details);

/// <summary>One AdditionalFiles item with the <c>.gfmm.json</c> extension: its normalized path and
/// either its content or the problem that stops it from being used.</summary>
internal sealed record WeightFile(string NormalizedPath, WeightContent? Content, WeightFileProblem? Problem);

/// <summary>A target and the AdditionalFiles item its attribute names: the item's normalized path, or null with the
/// reason nothing matched (found from the paths alone, before any file is read).</summary>
internal sealed record TargetLocation(SolverTarget Target, string? WeightFilePath, string Reason);

/// <summary>Everything the emitter needs for one generated solver.</summary>
/// <param name="Looped">The schedules run as loops over the plans' step tables (large M) rather than straight-line code.</param>
internal sealed record SolverPlan(SolverTarget Target, WeightContent Content, bool Looped = false);

/// <summary>The outcome for one target: a plan to emit (or none) and the diagnostics to report.</summary>
internal sealed record SolverResult(SolverPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>The project-wide settings of the generated code.</summary>
/// <param name="UnrollMaxLeaves">Models with more leaves get looped schedules (MSBuild property <c>GenLuUnrollMaxLeaves</c>).</param>
/// <param name="AllowUnsafe">The compilation allows unsafe code, which reading a resource in place needs.</param>
internal sealed record GenerationOptions(int UnrollMaxLeaves, bool AllowUnsafe)
{
    /// <summary>Straight-line schedules up to this many leaves (N = 1,024 at P = 32); above it a loop over the step table
    /// keeps the source O(1) in M. Measured at N = 4,096 (M = 128, P = 32): the looped solve is as fast as the
    /// unrolled one (139–153 µs against 150–189 µs in the same noisy runs), builds 1.3 s sooner and its first call
    /// takes 15–22 ms instead of 136–206 ms (the JIT compiles one small loop instead of 128 leaves of straight-line code).</summary>
    public const int DefaultUnrollMaxLeaves = 32;

    public static int ParseUnrollMaxLeaves(string? property) =>
        int.TryParse(property, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int leaves) && leaves >= 0
            ? leaves
            : DefaultUnrollMaxLeaves;
}

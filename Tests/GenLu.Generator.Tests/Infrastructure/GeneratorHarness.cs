extern alias GeneratorAssembly;

using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using GeneratorAssembly::GenLu.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using GenLu.Gfmm;

namespace GenLu.Tests.Infrastructure;

/// <summary>An AdditionalFiles item held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText source = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => source;
}

/// <summary>Global analyzer options, standing in for the MSBuild properties a real build passes.</summary>
internal sealed class TestOptionsProvider(Dictionary<string, string> globals) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(globals);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options([]);

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}

/// <summary>Runs <see cref="GfmmSolverGenerator"/> in memory with <see cref="CSharpGeneratorDriver"/>.</summary>
internal static class GeneratorHarness
{
    public const string SourcePath = "/project/src/Solvers.cs";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    public static string SolverSource(string typeName, string modelPath, string modifiers = "public static partial", string @namespace = "Demo", string attributeArguments = "") => $$"""
        namespace {{@namespace}};

        [GenLu.GfmmSolver("{{modelPath}}"{{attributeArguments}})]
        {{modifiers}} class {{typeName}} { }
        """;

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create("GenLu.Generated.Tests",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, i == 0 ? SourcePath : $"/project/src/Other{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, optimizationLevel: OptimizationLevel.Release,
                nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver(IEnumerable<AdditionalText> additionalFiles, Dictionary<string, string>? globalOptions = null) =>
        CSharpGeneratorDriver.Create(
            [new GfmmSolverGenerator().AsSourceGenerator()],
            additionalFiles,
            ParseOptions,
            new TestOptionsProvider(globalOptions ?? []),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; returns the updated compilation and the run's result.</summary>
    public static (Compilation Output, GeneratorDriverRunResult Result) Run(string source, params AdditionalText[] additionalFiles) =>
        Run(Compilation(source), additionalFiles, []);

    /// <summary>Runs the generator once on <paramref name="compilation"/> with these MSBuild-visible properties.</summary>
    public static (Compilation Output, GeneratorDriverRunResult Result) Run(Compilation compilation, IEnumerable<AdditionalText> additionalFiles, Dictionary<string, string> globalOptions)
    {
        var driver = Driver(additionalFiles, globalOptions).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (output, driver.GetRunResult());
    }

    /// <summary>The generated solver source (everything but the attribute).</summary>
    public static string SolverText(GeneratorDriverRunResult result) =>
        result.Results.Single().GeneratedSources.Single(s => s.HintName.EndsWith(".GfmmSolver.g.cs", StringComparison.Ordinal)).SourceText.ToString();

    /// <summary>Compiler errors and warnings of a compilation (generated code must produce none).</summary>
    public static IReadOnlyList<Diagnostic> Problems(Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>Emits the compilation and loads it into a collectible context.</summary>
    public static Assembly Load(Compilation compilation, params ResourceDescription[] resources)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream, manifestResources: resources);
        if (!emitted.Success)
            throw new InvalidOperationException("Emit failed:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        stream.Position = 0;
        return new AssemblyLoadContext("generated-" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string assemblies = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return [.. assemblies.Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Select(path => MetadataReference.CreateFromFile(path))];
    }
}

using System.Linq;
using GenLu.Generator.Emit;
using GenLu.Generator.Model;
using GenLu.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenLu.Generator;

/// <summary>
/// Compiles trained GFMM weights into a specialized, allocation-free solver class.
/// Pipeline: attribute targets are parsed into equatable models and matched by path against the <c>*.gfmm.json</c>
/// AdditionalFiles; only the files some attribute names are parsed; then the source and the diagnostics are
/// produced by two separate outputs.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class GfmmSolverGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        context.RegisterPostInitializationOutput(static output => output.AddSource(AttributeSource.HintName, AttributeSource.Text));

        var targets = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeSource.MetadataName,
                static (node, _) => node is ClassDeclarationSyntax,
                TargetParser.Parse)
            .WithTrackingName(TrackingNames.Targets);

        var projectDirectory = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.projectdir", out var directory) ? directory : null)
            .WithTrackingName(TrackingNames.ProjectDirectory);

        // Paths first: which item each attribute names is decided from the *.gfmm.json paths alone, and only
        // the items some attribute names are read and parsed (a project may hold models it loads at run time).
        var weightTexts = context.AdditionalTextsProvider
            .Where(static file => WeightFileParser.IsWeightFile(file.Path));
        var weightFilePaths = weightTexts
            .Select(static (file, _) => PathMatcher.Normalize(file.Path))
            .Collect()
            .Select(static (paths, _) => new EquatableArray<string>(paths.ToArray()))
            .WithTrackingName(TrackingNames.WeightFilePaths);

        var locations = targets
            .Combine(weightFilePaths)
            .Combine(projectDirectory)
            .Select(static (input, _) => SolverResolver.Locate(input.Left.Left, input.Left.Right, input.Right))
            .WithTrackingName(TrackingNames.Locations);

        var referencedPaths = locations
            .Collect()
            .Select(static (all, _) => SolverResolver.ReferencedPaths(all))
            .WithTrackingName(TrackingNames.ReferencedPaths);

        // Weight files the build step embedded as resources come with a manifest: the generator reads that instead.
        var manifests = context.AdditionalTextsProvider
            .Where(static file => ManifestReader.IsManifest(file.Path))
            .Select(ManifestReader.Read)
            .WithTrackingName(TrackingNames.Manifests)
            .Collect()
            .Select(static (all, _) => new EquatableArray<WeightFile>(all.OfType<WeightFile>().ToArray()))
            .WithTrackingName(TrackingNames.AllManifests);

        var pathsToParse = referencedPaths
            .Combine(manifests)
            .Select(static (input, _) => SolverResolver.WithoutManifests(input.Left, input.Right))
            .WithTrackingName(TrackingNames.PathsToParse);

        var weightFiles = weightTexts
            .Combine(pathsToParse)
            .Where(static input => input.Right.Contains(PathMatcher.Normalize(input.Left.Path), System.StringComparer.Ordinal))
            // The file alone, so a change in which files are referenced does not re-parse the ones that stay.
            .Select(static (input, _) => input.Left)
            .Select(WeightFileParser.Parse)
            .WithTrackingName(TrackingNames.WeightFiles)
            .Collect()
            .WithTrackingName(TrackingNames.AllWeightFiles);

        var options = context.AnalyzerConfigOptionsProvider
            .Combine(context.CompilationProvider.Select(static (compilation, _) => compilation.Options is CSharpCompilationOptions { AllowUnsafe: true }))
            .Select(static (input, _) => new GenerationOptions(
                GenerationOptions.ParseUnrollMaxLeaves(input.Left.GlobalOptions.TryGetValue("build_property.genluunrollmaxleaves", out var leaves) ? leaves : null),
                input.Right))
            .WithTrackingName(TrackingNames.Options);

        var results = locations
            .Combine(weightFiles)
            .Combine(manifests)
            .Combine(options)
            .Select(static (input, _) => SolverResolver.Resolve(input.Left.Left.Left, input.Left.Left.Right, input.Left.Right, input.Right))
            .WithTrackingName(TrackingNames.Results);

        // A bool, so editing the consumer's code re-runs only this lookup: the plans stay cached.
        var referencesRuntime = context.CompilationProvider
            .Select(static (compilation, _) => PreconditionerEmitter.IsAvailable(compilation))
            .WithTrackingName(TrackingNames.ReferencesRuntime);

        var plans = results
            .Select(static (result, _) => result.Plan)
            .WithTrackingName(TrackingNames.Plans);
        context.RegisterSourceOutput(plans.Combine(referencesRuntime), static (output, input) =>
        {
            var (plan, withPreconditioner) = input;
            if (plan is not null) output.AddSource(plan.Target.HintName, SolverEmitter.Emit(plan, withPreconditioner));
        });

        var diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (output, list) =>
        {
            foreach (var diagnostic in list) output.ReportDiagnostic(diagnostic.ToDiagnostic());
        });
    }
}

/// <summary>Names of the tracked pipeline steps (the caching tests look them up).</summary>
public static class TrackingNames
{
    public const string Targets = nameof(Targets);
    public const string WeightFilePaths = nameof(WeightFilePaths);
    public const string Locations = nameof(Locations);
    public const string ReferencedPaths = nameof(ReferencedPaths);
    public const string WeightFiles = nameof(WeightFiles);
    public const string AllWeightFiles = nameof(AllWeightFiles);
    public const string Manifests = nameof(Manifests);
    public const string AllManifests = nameof(AllManifests);
    public const string PathsToParse = nameof(PathsToParse);
    public const string Options = nameof(Options);
    public const string ProjectDirectory = nameof(ProjectDirectory);
    public const string Results = nameof(Results);
    public const string Plans = nameof(Plans);
    public const string ReferencesRuntime = nameof(ReferencesRuntime);
    public const string Diagnostics = nameof(Diagnostics);
}

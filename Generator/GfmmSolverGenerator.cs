using GenLu.Generator.Emit;
using GenLu.Generator.Model;
using GenLu.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GenLu.Generator;

/// <summary>
/// Compiles trained GFMM weights into a specialized, allocation-free solver class.
/// Pipeline: attribute targets and weight files are parsed into equatable models, joined by path, then the
/// source and the diagnostics are produced by two separate outputs.
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

        var weightFiles = context.AdditionalTextsProvider
            .Where(static file => WeightFileParser.IsWeightFile(file.Path))
            .Select(WeightFileParser.Parse)
            .WithTrackingName(TrackingNames.WeightFiles)
            .Collect()
            .WithTrackingName(TrackingNames.AllWeightFiles);

        var projectDirectory = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.projectdir", out var directory) ? directory : null)
            .WithTrackingName(TrackingNames.ProjectDirectory);

        var results = targets
            .Combine(weightFiles)
            .Combine(projectDirectory)
            .Select(static (input, _) => SolverResolver.Resolve(input.Left.Left, input.Left.Right, input.Right))
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
    public const string WeightFiles = nameof(WeightFiles);
    public const string AllWeightFiles = nameof(AllWeightFiles);
    public const string ProjectDirectory = nameof(ProjectDirectory);
    public const string Results = nameof(Results);
    public const string Plans = nameof(Plans);
    public const string ReferencesRuntime = nameof(ReferencesRuntime);
    public const string Diagnostics = nameof(Diagnostics);
}

using System.Reflection;
using Microsoft.CodeAnalysis;
using GenLu.Gfmm;

namespace GenLu.Tests.Infrastructure;

internal delegate void VectorOperation(ReadOnlySpan<float> input, Span<float> output);

internal delegate void ScratchOperation(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch);

internal delegate void BatchOperation(ReadOnlySpan<float> input, Span<float> output, int count);

internal delegate void BatchScratchOperation(ReadOnlySpan<float> input, Span<float> output, int count, Span<float> scratch);

/// <summary>The public API of one generated solver class, compiled in memory and bound to delegates.</summary>
internal sealed class GeneratedSolver
{
    private readonly Type type;

    private GeneratedSolver(Type type) => this.type = type;

    public static GeneratedSolver Build(GfmmModel model)
    {
        var (output, result) = GeneratorHarness.Run(GeneratorHarness.SolverSource("Solver", "models/model.gfmm.json"),
            new InMemoryAdditionalText("/project/src/models/model.gfmm.json", TestModels.Json(model)));
        result.Diagnostics.ShouldBeEmpty();
        var problems = GeneratorHarness.Problems(output);
        problems.ShouldBeEmpty(string.Join("\n", problems.Take(5)));
        return new GeneratedSolver(GeneratorHarness.Load(output).GetType("Demo.Solver", throwOnError: true)!);
    }

    public T Constant<T>(string name) => (T)type.GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    public VectorOperation Operation(string name) => Bind<VectorOperation>(name, typeof(ReadOnlySpan<float>), typeof(Span<float>));

    public ScratchOperation WithScratch(string name) => Bind<ScratchOperation>(name, typeof(ReadOnlySpan<float>), typeof(Span<float>), typeof(Span<float>));

    public BatchOperation Batch(string name) => Bind<BatchOperation>(name, typeof(ReadOnlySpan<float>), typeof(Span<float>), typeof(int));

    public BatchScratchOperation BatchWithScratch(string name) =>
        Bind<BatchScratchOperation>(name, typeof(ReadOnlySpan<float>), typeof(Span<float>), typeof(int), typeof(Span<float>));

    private T Bind<T>(string name, params Type[] parameters) where T : Delegate =>
        (type.GetMethod(name, BindingFlags.Public | BindingFlags.Static, parameters)
            ?? throw new MissingMethodException(type.FullName, name)).CreateDelegate<T>();
}

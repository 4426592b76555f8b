using System.Reflection;
using Microsoft.CodeAnalysis;
using GenLu.Gfmm;
using Microsoft.CodeAnalysis.CSharp;

namespace GenLu.Tests.Infrastructure;

internal delegate void VectorOperation(ReadOnlySpan<float> input, Span<float> output);

internal delegate void ScratchOperation(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch);

internal delegate void BatchOperation(ReadOnlySpan<float> input, Span<float> output, int count);

internal delegate void BatchScratchOperation(ReadOnlySpan<float> input, Span<float> output, int count, Span<float> scratch);

/// <summary>The same operations for a solver of either number type (a double one: <c>Precision</c> or a float64 file).</summary>
internal delegate void VectorOperation<T>(ReadOnlySpan<T> input, Span<T> output);

internal delegate void ScratchOperation<T>(ReadOnlySpan<T> input, Span<T> output, Span<T> scratch);

internal delegate void BatchOperation<T>(ReadOnlySpan<T> input, Span<T> output, int count);

internal delegate void BatchScratchOperation<T>(ReadOnlySpan<T> input, Span<T> output, int count, Span<T> scratch);

internal delegate void ParallelOperation<T>(ReadOnlyMemory<T> input, Memory<T> output, int count);

/// <summary>The public API of one generated solver class, compiled in memory and bound to delegates.</summary>
/// <summary>How a generated class holds its data and runs its schedules.</summary>
internal sealed record EmbeddingForm(bool Resource, bool Looped)
{
    public static readonly EmbeddingForm[] All = [new(false, false), new(false, true), new(true, false), new(true, true)];

    public override string ToString() => $"{(Resource ? "resource" : "literal")} data, {(Looped ? "looped" : "unrolled")} schedules";
}

internal sealed class GeneratedSolver
{
    private readonly Type type;

    private GeneratedSolver(Type type, string source)
    {
        this.type = type;
        Source = source;
    }

    /// <summary>The generated class's source text.</summary>
    public string Source { get; }

    /// <summary>The generated class of <paramref name="model"/> in the given form: literal or resource data (the
    /// latter written by the real build step, <c>genlu-embed</c>, into a temporary directory and emitted as the
    /// assembly's manifest resource), unrolled or looped schedules.</summary>
    /// <param name="attributeArguments">Named arguments after the path, e.g. <c>, Precision = GenLu.GfmmPrecision.Double</c>.</param>
    public static GeneratedSolver Build(GfmmModel model, EmbeddingForm form, string attributeArguments = "")
    {
        if (!form.Resource && !form.Looped && attributeArguments.Length == 0) return Build(model);
        var options = new Dictionary<string, string> { ["build_property.genluunrollmaxleaves"] = form.Looped ? "0" : "1000000" };
        if (!form.Resource)
        {
            var (literal, literalResult) = GeneratorHarness.Run(GeneratorHarness.Compilation(GeneratorHarness.SolverSource("Solver", "models/model.gfmm.json", attributeArguments: attributeArguments)),
                [new InMemoryAdditionalText("/project/src/models/model.gfmm.json", TestModels.Json(model))], options);
            return Checked(literal, literalResult);
        }
        using var step = EmbeddedBuildStep.Run(TestModels.Json(model));
        var (output, result) = GeneratorHarness.Run(GeneratorHarness.Compilation(GeneratorHarness.SolverSource("Solver", step.WeightPath, attributeArguments: attributeArguments)),
            [new InMemoryAdditionalText(step.WeightPath, step.Json), new InMemoryAdditionalText(step.ManifestPath, step.Manifest)], options);
        return Checked(output, result, step.Resource());
    }

    private static GeneratedSolver Checked(Compilation output, GeneratorDriverRunResult result, params ResourceDescription[] resources)
    {
        result.Diagnostics.ShouldBeEmpty();
        var problems = GeneratorHarness.Problems(output);
        problems.ShouldBeEmpty(string.Join("\n", problems.Take(5)));
        return new GeneratedSolver(GeneratorHarness.Load(output, resources).GetType("Demo.Solver", throwOnError: true)!, GeneratorHarness.SolverText(result));
    }

    public static GeneratedSolver Build(GfmmModel model)
    {
        var (output, result) = GeneratorHarness.Run(GeneratorHarness.SolverSource("Solver", "models/model.gfmm.json"),
            new InMemoryAdditionalText("/project/src/models/model.gfmm.json", TestModels.Json(model)));
        return Checked(output, result);
    }

    public T Constant<T>(string name) => (T)type.GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    public VectorOperation Operation(string name) => Bind<VectorOperation>(name, typeof(ReadOnlySpan<float>), typeof(Span<float>));

    public ScratchOperation WithScratch(string name) => Bind<ScratchOperation>(name, typeof(ReadOnlySpan<float>), typeof(Span<float>), typeof(Span<float>));

    public BatchOperation Batch(string name) => Bind<BatchOperation>(name, typeof(ReadOnlySpan<float>), typeof(Span<float>), typeof(int));

    public BatchScratchOperation BatchWithScratch(string name) =>
        Bind<BatchScratchOperation>(name, typeof(ReadOnlySpan<float>), typeof(Span<float>), typeof(int), typeof(Span<float>));

    public VectorOperation<T> Operation<T>(string name) => Bind<VectorOperation<T>>(name, typeof(ReadOnlySpan<T>), typeof(Span<T>));

    public ScratchOperation<T> WithScratch<T>(string name) => Bind<ScratchOperation<T>>(name, typeof(ReadOnlySpan<T>), typeof(Span<T>), typeof(Span<T>));

    public BatchOperation<T> Batch<T>(string name) => Bind<BatchOperation<T>>(name, typeof(ReadOnlySpan<T>), typeof(Span<T>), typeof(int));

    public BatchScratchOperation<T> BatchWithScratch<T>(string name) =>
        Bind<BatchScratchOperation<T>>(name, typeof(ReadOnlySpan<T>), typeof(Span<T>), typeof(int), typeof(Span<T>));

    /// <summary>Every operation (Solve, SolveTranspose, Apply, ApplyTranspose) of this class on <paramref name="input"/>
    /// agrees with the dense double reference of <paramref name="a"/> (order M·P; <paramref name="padded"/> is the input
    /// zero-padded to it) and, bit for bit, with <paramref name="reference"/>, another form of the same model.</summary>
    public void ShouldMatchDenseAndForm(GeneratedSolver reference, float[] input, double[,] a, double[] padded,
        double solveTolerance, double productTolerance, string form)
    {
        var at = DenseReference.Transpose(a);
        int order = input.Length;
        var output = new float[order];
        var expected = new float[order];
        foreach (var (operation, dense, tolerance) in new[]
                 {
                     ("Solve", DenseReference.Solve(a, padded), solveTolerance), ("SolveTranspose", DenseReference.Solve(at, padded), solveTolerance),
                     ("Apply", DenseReference.Multiply(a, padded), productTolerance), ("ApplyTranspose", DenseReference.Multiply(at, padded), productTolerance),
                 })
        {
            Operation(operation)(input, output);
            DenseReference.RelativeError(output, dense[..order]).ShouldBeLessThan(tolerance, $"{form}: {operation} vs dense");
            reference.Operation(operation)(input, expected);
            output.ShouldBe(expected, $"{form}: {operation} vs the other form");
        }
    }

    public ParallelOperation<T> Parallel<T>() => Bind<ParallelOperation<T>>("SolveParallel", typeof(ReadOnlyMemory<T>), typeof(Memory<T>), typeof(int));

    /// <summary>Whether the class has a public method of this name over spans of <paramref name="element"/>.</summary>
    public bool HasSpanMethod(string name, Type element) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Static, [typeof(ReadOnlySpan<>).MakeGenericType(element), typeof(Span<>).MakeGenericType(element)]) is not null;

    private T Bind<T>(string name, params Type[] parameters) where T : Delegate =>
        (type.GetMethod(name, BindingFlags.Public | BindingFlags.Static, parameters)
            ?? throw new MissingMethodException(type.FullName, name)).CreateDelegate<T>();
}

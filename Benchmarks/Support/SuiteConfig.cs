using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;
using GenLu.Trainer.Tuning.Peers;

namespace GenLu.Benchmarks.Support;

/// <summary>Marks a benchmark of the generated solver of an operator's own exact model: it runs only for the model
/// make-models writes (the 1D Laplacian at N = 4096, <see cref="ModelFiles.ExactLaplacianFile"/>) once it is compiled.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RequiresGeneratedExactModelAttribute : Attribute;

/// <summary>
/// Leaves a benchmark method out above an order N (the suite's <c>N</c> parameter), for the reason given;
/// with <see cref="Rhs"/> set, only for that number of right-hand sides (the suite's <c>Rhs</c> parameter).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class MaxOrderAttribute(int order, string reason) : Attribute
{
    public int Order { get; } = order;

    public string Reason { get; } = reason;

    /// <summary>The cap applies only to cases with this many right-hand sides; 0 (the default): to all.</summary>
    public int Rhs { get; init; }

    public bool Excludes(int n, int? rhs) => n > Order && (Rhs == 0 || rhs == Rhs);

    public override string ToString() => $"up to N = {Order}{(Rhs == 0 ? "" : $" with {Rhs} right-hand sides")}: {Reason}";
}

/// <summary>Marks a benchmark that calls the system OpenBLAS: it is left out when the library is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RequiresOpenBlasAttribute : Attribute;

/// <summary>Marks a benchmark of the source-generated solver: it runs only at the orders that have one (<see cref="ModelFiles"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RequiresGeneratedSolverAttribute : Attribute;

/// <summary>
/// The configuration shared by the suites (their job comes from <see cref="Program"/>): a filter that drops exactly the cases that cannot run here (OpenBLAS absent, a peer that does not apply to the operator or whose library is absent, no generated
/// solver at that order, a peer that does not apply to the operator or whose library is absent) or are capped by <see cref="MaxOrderAttribute"/>, so every other column still runs.
/// </summary>
internal sealed class SuiteConfig : ManualConfig
{
    public SuiteConfig() => AddFilter(new SimpleFilter(IsIncluded));

    /// <summary>One line per cap and per missing library, for the run's console output.</summary>
    public static IEnumerable<string> Notes(IEnumerable<Type> suites)
    {
        foreach (string missing in PeerCase.MissingLibraries())
            yield return missing;
        foreach (int n in BenchmarkModels.Orders.Where(n => !GeneratedSolvers.IsCompiled(n)))
            yield return $"Generated column skipped at N = {n}: {GeneratedSolvers.MissingReason(n)}.";
        if (!GeneratedSolvers.ExactLaplacianCompiled)
            yield return $"GeneratedExact column skipped: run make-models once to write {ModelFiles.ExactLaplacianFile}, then the benchmarks again.";
        foreach (var method in suites.SelectMany(type => type.GetMethods()))
            foreach (var cap in method.GetCustomAttributes<MaxOrderAttribute>())
                yield return $"{method.DeclaringType?.Name}.{method.Name} runs {cap}";
    }

    private static bool IsIncluded(BenchmarkCase benchmark)
    {
        var method = benchmark.Descriptor.WorkloadMethod;
        if (method.IsDefined(typeof(RequiresOpenBlasAttribute)) && !OpenBlas.IsAvailable)
            return false;
        if (method.GetCustomAttribute<RequiresPeerAttribute>() is { } peer
            && (Parameter(benchmark, "Operator") is not string name || Parameter(benchmark, "N") is not int order || !PeerCase.Applicable(name, order).Contains(peer.Peer)))
            return false;
        if (method.IsDefined(typeof(RequiresGeneratedExactModelAttribute))
            && !(GeneratedSolvers.ExactLaplacianCompiled && Parameter(benchmark, "Operator") is ModelFiles.ExactLaplacianOperator && Parameter(benchmark, "N") is ModelFiles.ExactLaplacianOrder))
            return false;
        var caps = method.GetCustomAttributes<MaxOrderAttribute>().ToList();
        bool generated = method.IsDefined(typeof(RequiresGeneratedSolverAttribute));
        if (caps.Count == 0 && !generated)
            return true;
        if (Parameter(benchmark, "N") is not int n)
            throw new InvalidOperationException($"{method.Name} is restricted by order but its suite has no int parameter N.");
        if (generated && !GeneratedSolvers.IsCompiled(n))
            return false;
        int? rhs = Parameter(benchmark, "Rhs") as int?;
        return !caps.Any(cap => cap.Excludes(n, rhs));
    }

    private static object? Parameter(BenchmarkCase benchmark, string name) =>
        benchmark.Parameters.Items.FirstOrDefault(parameter => parameter.Name == name)?.Value;
}

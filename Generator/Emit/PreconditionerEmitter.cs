using Microsoft.CodeAnalysis;

namespace GenLu.Generator.Emit;

/// <summary>
/// The generated class's <c>Preconditioner</c> property: its own float solve as a
/// <c>GenLu.Solvers.IPreconditioner</c> for the Runtime's Gmres and IterativeRefinement. Emitted only when the consumer
/// references GenLu.Runtime, so the generated code stays free of dependencies otherwise; the double-to-float scaling
/// and the per-thread buffers are the Runtime's <c>SinglePrecisionPreconditioner</c>, the one the Runtime's
/// GfmmSolver uses too.
/// </summary>
internal static class PreconditionerEmitter
{
    private const string InterfaceName = "GenLu.Solvers.IPreconditioner";
    private const string AdapterName = "GenLu.Solvers.SinglePrecisionPreconditioner";

    /// <summary>Whether <paramref name="compilation"/> sees the Runtime types the property is built from.</summary>
    public static bool IsAvailable(Compilation compilation) =>
        compilation.GetTypeByMetadataName(InterfaceName) is { DeclaredAccessibility: Accessibility.Public } &&
        compilation.GetTypeByMetadataName(AdapterName) is { DeclaredAccessibility: Accessibility.Public };

    /// <summary>Writes the property and the holder that creates it on first use (so the class's own static state,
    /// and the solves' cost, stay as they are for callers that never ask for it).</summary>
    public static void Emit(CodeWriter writer)
    {
        writer.Lines($$"""
            /// <summary>
            /// This class's float solve <c>Solve(b, x, scratch)</c> as a double-precision preconditioner for
            /// <c>GenLu.Solvers.Gmres</c> and <c>GenLu.Solvers.IterativeRefinement</c>: r is scaled to unit max-norm,
            /// rounded to float, solved and scaled back, as the Runtime's <c>GfmmSolver</c> does. Thread-safe; each
            /// thread's buffers are allocated on its first application and reused afterwards.
            /// </summary>
            public static global::{{InterfaceName}} Preconditioner => PreconditionerInstance.Value;

            private static class PreconditionerInstance
            {
                public static readonly global::{{InterfaceName}} Value = new global::{{AdapterName}}(N, ScratchLength, Solve);
            }

            """);
    }
}

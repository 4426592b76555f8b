using Microsoft.CodeAnalysis;

namespace GenLu.Generator.Emit;

/// <summary>
/// The generated class's <c>Preconditioner</c> property: its own solve as a <c>GenLu.Solvers.IPreconditioner</c> for
/// the Runtime's Gmres and IterativeRefinement. Emitted only when the consumer references GenLu.Runtime, so the
/// generated code stays free of dependencies otherwise. A float solver goes through the Runtime's
/// <c>SinglePrecisionPreconditioner</c> (the double-to-float scaling and the per-thread buffers, the one the Runtime's
/// GfmmSolver uses too); a double solver is its own preconditioner, as the Runtime's float64 GfmmSolver is.
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
    public static void Emit(CodeWriter writer, ElementType element)
    {
        if (element.Dtype == GenLu.Structure.GfmmDtype.Float64)
        {
            EmitDouble(writer);
            return;
        }
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

    /// <summary>A double solver needs no scaling or rounding: the property is its own solve, with each thread's scratch.</summary>
    private static void EmitDouble(CodeWriter writer) => writer.Lines($$"""
        /// <summary>
        /// This class's double solve <c>Solve(b, x, scratch)</c> as a preconditioner for <c>GenLu.Solvers.Gmres</c> and
        /// <c>GenLu.Solvers.IterativeRefinement</c>: <c>z ≈ A⁻¹ r</c>, as the Runtime's <c>GfmmSolver</c> of a float64 model
        /// does. Thread-safe; each thread's scratch is allocated on its first application and reused afterwards.
        /// </summary>
        public static global::{{InterfaceName}} Preconditioner => PreconditionerInstance.Value;

        private static class PreconditionerInstance
        {
            public static readonly global::{{InterfaceName}} Value = new SolvePreconditioner();
        }

        private sealed class SolvePreconditioner : global::{{InterfaceName}}
        {
            [global::System.ThreadStatic] private static double[]? scratch;

            public int Order => N;

            public void Apply(global::System.ReadOnlySpan<double> r, global::System.Span<double> z)
            {
                if (r.Length != N) throw new global::System.ArgumentException($"The preconditioner has order {N}, but r has length {r.Length}.", nameof(r));
                if (z.Length != N) throw new global::System.ArgumentException($"The preconditioner has order {N}, but z has length {z.Length}.", nameof(z));
                if (global::System.MemoryExtensions.Overlaps(r, z)) throw new global::System.ArgumentException("z must not overlap r.", nameof(z));
                Solve(r, z, scratch ??= new double[ScratchLength]);
            }
        }

        """);
}

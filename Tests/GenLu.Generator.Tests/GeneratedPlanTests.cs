using System.Text.RegularExpressions;
using GenLu.Structure;
using GenLu.Tests.Infrastructure;

namespace GenLu.Tests;

/// <summary>
/// The generator and the Runtime consume the same <see cref="ExecutionPlan"/>: the statements of each of the eight
/// generated schedule methods, read back from the source text, are exactly the plan's steps for that layout
/// (operation, tensor, G_i, operands, sign, transposition), in order. Also the span rules of the generated code.
/// </summary>
public class GeneratedPlanTests
{
    private const string Operand = @"(x|y|work)\.Slice\((\d+)\), (?:stride|SlotsLength)";
    private static readonly Regex ProductLine = new($@"^(AddProduct|AddTransposedProduct)\(w\.Slice\((\d+), TensorSize\), {Operand}, {Operand}, count, (-?1)f\);");
    private static readonly Regex SolveLine = new($@"^(LuSolve|LuSolveTransposed)\(factors\.Slice\(\d+, 2 \* TensorSize\), inverseDiagonals\.Slice\((\d+), P\), pivots\.Slice\(\d+, P\), {Operand}, count\);");
    private static readonly Regex ClearLine = new($@"^ClearBlocks\({Operand}, count\);");
    private static readonly Regex CopyLine = new($@"^CopyBlocks\({Operand}, {Operand}, count\);");

    [Theory]
    [InlineData(2, 2, false)]
    [InlineData(8, 3, false)]
    [InlineData(16, 4, false)]
    [InlineData(8, 3, true)]
    [InlineData(16, 2, true)]
    public void Every_generated_schedule_is_its_plan_step_by_step(int m, int p, bool banded)
    {
        var model = TestModels.WellConditioned(m, p, seed: (ulong)(m + p));
        if (banded)
        {
            // Only the level-0 bridge (G_i and the neighbour couplings) is non-zero: a banded operator's exact factors.
            foreach (var block in new[] { model.L, model.U })
                for (int t = 0; t < block.Layout.TensorCount; t++)
                    if (!block.Layout.IsLevelZeroBridge(t)) block.Tensor(t).Clear();
        }
        var (_, result) = GeneratorHarness.Run(GeneratorHarness.SolverSource("Solver", "models/model.gfmm.json"),
            new InMemoryAdditionalText("/project/src/models/model.gfmm.json", TestModels.Json(model)));
        string source = GeneratorHarness.SolverText(result);
        var lower = new GfmmLayout(GfmmKind.Lower, m, p);
        var upper = new GfmmLayout(GfmmKind.Upper, m, p);
        int scratchSlots = 0;
        foreach (var (layout, operation, transposed, name) in new[]
                 {
                     (lower, PlanOperation.Solve, false, "LowerSolve"), (upper, PlanOperation.Solve, false, "UpperSolve"),
                     (lower, PlanOperation.Solve, true, "LowerTransposeSolve"), (upper, PlanOperation.Solve, true, "UpperTransposeSolve"),
                     (lower, PlanOperation.Apply, false, "LowerApply"), (upper, PlanOperation.Apply, false, "UpperApply"),
                     (lower, PlanOperation.Apply, true, "LowerTransposeApply"), (upper, PlanOperation.Apply, true, "UpperTransposeApply"),
                 })
        {
            // The embedded weights hold L's non-zero tensors, then U's, each in the order its solve reads them.
            var embedded = new[] { model.L, model.U }.SelectMany(block => TestModels.EmbeddedOrder(block.Layout, t => !banded || block.Layout.IsLevelZeroBridge(t))
                .Select(t => (block.Kind, Tensor: t))).ToList();
            var plan = ExecutionPlan.Create(layout, operation, transposed, banded ? t => layout.IsLevelZeroBridge(t) : null);
            scratchSlots = Math.Max(scratchSlots, plan.ScratchSlots);
            int blockBase = layout.Kind == GfmmKind.Lower ? 0 : m;
            var printed = Statements(source, name).Select(line => Parse(line, p, offset => embedded[offset / (p * p)].Tensor, blockBase, operation == PlanOperation.Solve)).ToList();
            var expected = plan.Steps.Select(Describe).ToList();
            printed.ShouldBe(expected, $"{name}: generated statements vs plan steps");
        }
        source.ShouldContain($"private const int SlotsLength = {scratchSlots * p};");
        if (banded) source.ShouldNotContain("encoder."); // no product by a zero tensor is printed
    }

    [Fact]
    public void Generated_calls_follow_the_span_rules()
    {
        var model = TestModels.WellConditioned(4, 3, seed: 17);
        var solver = GeneratedSolver.Build(model);
        int n = model.N, count = 5, scratchLength = solver.Constant<int>("ScratchLength");
        var a = DenseReference.Operator(model);
        var inputs = Enumerable.Range(0, n * count).Select(i => (float)Math.Sin(0.7 * i + 1)).ToArray();
        foreach (string operation in new[] { "Solve", "Apply" })
        {
            // A scratch for two vectors narrows the panels; in place is allowed; every vector matches the dense reference.
            var values = (float[])inputs.Clone();
            solver.BatchWithScratch(operation)(values, values, count, new float[2 * scratchLength]);
            for (int k = 0; k < count; k++)
            {
                var input = Array.ConvertAll(inputs.AsSpan(k * n, n).ToArray(), v => (double)v);
                var exact = operation == "Solve" ? DenseReference.Solve(a, input) : DenseReference.Multiply(a, input);
                DenseReference.RelativeError(values.AsSpan(k * n, n), exact).ShouldBeLessThan(1e-4, $"{operation}, vector {k}");
            }
            var untouched = new float[n];
            solver.BatchWithScratch(operation)(ReadOnlySpan<float>.Empty, untouched.AsSpan(0, 0), 0, new float[scratchLength]);
            untouched.ShouldAllBe(v => v == 0);
        }
    }

    /// <summary>The statement lines of one generated method (comments and the span declarations left out).</summary>
    private static IEnumerable<string> Statements(string source, string method)
    {
        int start = source.IndexOf($"private static void {method}(", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, method);
        int end = source.IndexOf("\n        }", start, StringComparison.Ordinal);
        return source[start..end].Split('\n').Skip(2).Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal) && !line.StartsWith("global::", StringComparison.Ordinal));
    }

    private static string Parse(string line, int p, Func<int, int> tensorAt, int blockBase, bool solve)
    {
        string Op(GroupCollection g, int at)
        {
            var kind = g[at].Value switch { "work" => OperandKind.Scratch, "y" => OperandKind.Output, _ => solve ? OperandKind.Output : OperandKind.Input };
            return new PlanOperand(kind, int.Parse(g[at + 1].Value) / p).ToString();
        }
        var match = ProductLine.Match(line);
        if (match.Success)
            return $"Product t{tensorAt(int.Parse(match.Groups[2].Value))} {Op(match.Groups, 3)}→{Op(match.Groups, 5)} {(match.Groups[7].Value == "-1" ? "-" : "+")} T={match.Groups[1].Value == "AddTransposedProduct"}";
        if ((match = SolveLine.Match(line)).Success)
            return $"DiagonalSolve G{int.Parse(match.Groups[2].Value) / p - blockBase} {Op(match.Groups, 3)} T={match.Groups[1].Value == "LuSolveTransposed"}";
        if ((match = ClearLine.Match(line)).Success) return $"Clear {Op(match.Groups, 1)}";
        if ((match = CopyLine.Match(line)).Success) return $"Copy {Op(match.Groups, 1)}→{Op(match.Groups, 3)}";
        throw new InvalidOperationException("Unrecognised generated statement: " + line);
    }

    private static string Describe(PlanStep step) => step.Kind switch
    {
        PlanStepKind.Product => $"Product t{step.Tensor} {step.Source}→{step.Target} {(step.Negative ? "-" : "+")} T={step.Transposed}",
        PlanStepKind.DiagonalSolve => $"DiagonalSolve G{step.Block} {step.Target} T={step.Transposed}",
        PlanStepKind.Clear => $"Clear {step.Target}",
        _ => $"Copy {step.Source}→{step.Target}",
    };
}

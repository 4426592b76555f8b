using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.Tests.Support;

namespace GenLu.Tests.Structure;

/// <summary>Properties of the one execution plan, checked on the plans themselves (not only through numbers).</summary>
public class ExecutionPlanTests
{
    public static TheoryData<GfmmKind, PlanOperation, bool, int> Plans()
    {
        var data = new TheoryData<GfmmKind, PlanOperation, bool, int>();
        foreach (int m in new[] { 2, 4, 8, 16 })
            foreach (bool transposed in new[] { false, true })
            {
                foreach (var kind in new[] { GfmmKind.Lower, GfmmKind.Upper })
                    foreach (var operation in new[] { PlanOperation.Solve, PlanOperation.Apply })
                        data.Add(kind, operation, transposed, m);
                data.Add(GfmmKind.General, PlanOperation.Apply, transposed, m);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Every_scratch_slot_read_was_written_earlier_in_the_same_pass(GfmmKind kind, PlanOperation operation, bool transposed, int m)
    {
        var plan = ExecutionPlan.Create(new GfmmLayout(kind, m, 3), operation, transposed);
        var written = new HashSet<int>();
        foreach (var step in plan.Steps)
        {
            if (step.Source.Kind == OperandKind.Scratch && step.Kind is PlanStepKind.Product or PlanStepKind.Copy)
                written.ShouldContain(step.Source.Index, $"{step} reads a slot before it is written");
            if (step.Target.Kind == OperandKind.Scratch)
            {
                step.Target.Index.ShouldBeLessThan(plan.ScratchSlots);
                if (step.Kind == PlanStepKind.Product) written.ShouldContain(step.Target.Index, $"{step} accumulates into a slot that was never cleared");
                else written.Add(step.Target.Index);
            }
            if (operation == PlanOperation.Solve && step.Kind is PlanStepKind.Product or PlanStepKind.Copy)
                step.Source.Kind.ShouldNotBe(OperandKind.Input, "a solve works in place on the output");
            step.Target.Kind.ShouldNotBe(OperandKind.Input, "no plan writes its input");
        }
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Each_tensor_is_used_at_most_once(GfmmKind kind, PlanOperation operation, bool transposed, int m)
    {
        var layout = new GfmmLayout(kind, m, 3);
        var plan = ExecutionPlan.Create(layout, operation, transposed);
        var tensors = plan.Steps.Where(s => s.Kind == PlanStepKind.Product).Select(s => s.Tensor)
            .Concat(plan.Steps.Where(s => s.Kind == PlanStepKind.DiagonalSolve).Select(s => layout.Diagonal(s.Block))).ToList();
        tensors.Distinct().Count().ShouldBe(tensors.Count);
        plan.Steps.Where(s => s.Kind is PlanStepKind.Product or PlanStepKind.DiagonalSolve).ShouldAllBe(s => s.Transposed == transposed);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void The_pruned_tensors_are_exactly_those_without_effect_on_the_operator(GfmmKind kind, PlanOperation operation, bool transposed, int m)
    {
        // A tensor that multiplies a known-zero value (the zero root of L and U, or a value fed only by it) cannot
        // change the block's dense matrix; every other tensor does. The plan must use exactly the latter.
        const int p = 2;
        var block = NaiveGfmm.RandomBlock(kind, m, p, seed: m + (int)kind);
        var layout = block.Layout;
        var plan = ExecutionPlan.Create(layout, operation, transposed);
        var used = plan.Steps.Where(s => s.Kind == PlanStepKind.Product).Select(s => s.Tensor)
            .Concat(plan.Steps.Where(s => s.Kind == PlanStepKind.DiagonalSolve).Select(s => layout.Diagonal(s.Block))).ToHashSet();
        var dense = NaiveGfmm.Dense(block);
        for (int tensor = 0; tensor < layout.TensorCount; tensor++)
        {
            var perturbed = block.Clone();
            var w = perturbed.Tensor(tensor);
            for (int k = 0; k < w.Length; k++) w[k] += 0.5f + k;
            bool changes = !NaiveGfmm.Dense(perturbed).Cast<double>().SequenceEqual(dense.Cast<double>());
            used.Contains(tensor).ShouldBe(changes, $"{layout.TensorName(tensor)}: used by the plan vs affects the operator");
        }
    }

    [Theory]
    [InlineData(GfmmKind.Lower, false, true)]
    [InlineData(GfmmKind.Upper, true, true)]
    [InlineData(GfmmKind.Upper, false, false)]
    [InlineData(GfmmKind.Lower, true, false)]
    public void Solves_visit_the_diagonal_blocks_in_triangular_order(GfmmKind kind, bool transposed, bool ascending)
    {
        var plan = ExecutionPlan.Create(new GfmmLayout(kind, 8, 2), PlanOperation.Solve, transposed);
        plan.Ascending.ShouldBe(ascending);
        var order = plan.Steps.Where(s => s.Kind == PlanStepKind.DiagonalSolve).Select(s => s.Block).ToArray();
        order.ShouldBe(ascending ? Enumerable.Range(0, 8).ToArray() : Enumerable.Range(0, 8).Reverse().ToArray());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(64)]
    public void Triangular_plans_need_two_slots_per_level_and_the_workspace_fits_every_plan(int m)
    {
        int levels = (int)Math.Log2(m);
        var all = new List<ExecutionPlan>();
        foreach (bool transposed in new[] { false, true })
        {
            foreach (var kind in new[] { GfmmKind.Lower, GfmmKind.Upper })
                foreach (var operation in new[] { PlanOperation.Solve, PlanOperation.Apply })
                    all.Add(ExecutionPlan.Create(new GfmmLayout(kind, m, 1), operation, transposed));
            all.Add(ExecutionPlan.Create(new GfmmLayout(GfmmKind.General, m, 1), PlanOperation.Apply, transposed));
        }
        all.Where(p => p.Layout.Kind != GfmmKind.General && p.Operation == PlanOperation.Apply).ShouldAllBe(p => p.ScratchSlots == 2 * levels);
        all.Max(p => p.ScratchSlots).ShouldBe(ExecutionPlan.MaxScratchSlots(m));
    }

    [Fact]
    public void A_general_block_has_no_solve()
    {
        Should.Throw<ArgumentException>(() => ExecutionPlan.Create(new GfmmLayout(GfmmKind.General, 4, 2), PlanOperation.Solve, false))
            .ParamName.ShouldBe("operation");
        Should.Throw<ArgumentNullException>(() => ExecutionPlan.Create(null!, PlanOperation.Apply, false));
    }
}

using System.Text;
using System.Text.Json.Nodes;
using GenLu.Format;
using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.Tests.Support;

namespace GenLu.Tests.Gfmm;

/// <summary>
/// Tensors that are exactly zero are left out of version-2 files, of the Runtime's memory and of the plans; what is
/// computed stays the same. References: the naive tensor-by-tensor product (<see cref="NaiveGfmm"/>) and dense double
/// solves of the same model.
/// </summary>
public class ZeroTensorTests
{
    /// <summary>A well-conditioned model whose tensors outside the level-0 bridge are zero (a banded operator's factors).</summary>
    private static GfmmModel Banded(int m, int p, int seed, double scale = 1)
    {
        var model = GfmmRandom.WellConditioned(m, p, seed);
        foreach (var block in new[] { model.L, model.U })
            for (int t = 0; t < block.Layout.TensorCount; t++)
                if (!block.Layout.IsLevelZeroBridge(t)) block.Tensor(t).Clear();
        return new GfmmModel(model.L, model.U, scale);
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(8, 4)]
    [InlineData(16, 2)]
    public void Files_leave_out_zero_tensors_and_read_back_the_same_weights(int m, int p)
    {
        var model = Banded(m, p, seed: m + p, scale: 2.5);
        string json = Encoding.UTF8.GetString(model.ToUtf8Json());
        var tensors = JsonNode.Parse(json)!["tensors"]!.AsObject();
        tensors.Count.ShouldBe(2 * m + 2 * (m - 1), "G_i and the level-0 neighbour coupling of L and U");
        tensors.ShouldNotContain(t => t.Key.Contains("encoder") || t.Key.Contains("decoder"));

        var loaded = GfmmModel.Parse(json);
        loaded.L.ToArray().ShouldBe(model.L.ToArray());
        loaded.U.ToArray().ShouldBe(model.U.ToArray());
        loaded.ParameterCount.ShouldBe((long)(4 * m - 2) * p * p);
        loaded.L.IsStored(loaded.L.Layout.Encoder(0, 0)).ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => loaded.L.Tensor(loaded.L.Layout.Encoder(0, 0)));
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(16, 2)]
    public void Products_and_solves_of_a_compact_model_equal_the_naive_dense_computation(int m, int p)
    {
        var model = GfmmModel.Parse(Encoding.UTF8.GetString(Banded(m, p, seed: 7 * m + p, scale: 0.5).ToUtf8Json()));
        int n = model.N;
        var random = new Random(11);
        var x = DenseMath.RandomVector(n, random);
        var xf = x.Select(v => (float)v).ToArray();

        // L · U · x by the naive tensor-by-tensor product (which reads absent tensors as zero), times s.
        var expected = NaiveGfmm.Multiply(model.L, NaiveGfmm.Multiply(model.U, x)).Select(v => v * model.Scale).ToArray();
        var y = new float[n];
        model.Apply(xf, y);
        DenseMath.RelativeError(expected, y).ShouldBeLessThan(1e-5);

        var dense = DenseMath.FromRowMajor(model.ToDense(), n);
        var solver = new GfmmSolver(model);
        var solution = new float[n];
        solver.Solve(xf, solution);
        DenseMath.RelativeError(DenseMath.Solve(dense, xf.Select(v => (double)v).ToArray()), solution).ShouldBeLessThan(1e-4);
        solver.SolveTranspose(xf, solution, solver.CreateWorkspace());
        DenseMath.RelativeError(DenseMath.Solve(DenseMath.Transpose(dense), xf.Select(v => (double)v).ToArray()), solution).ShouldBeLessThan(1e-4);
    }

    [Fact]
    public void Plans_of_a_block_that_stores_only_its_level_zero_bridge_multiply_by_nothing_else()
    {
        var layout = new GfmmLayout(GfmmKind.Lower, 16, 2);
        foreach (var operation in new[] { PlanOperation.Solve, PlanOperation.Apply })
            foreach (bool transposed in new[] { false, true })
            {
                var plan = ExecutionPlan.Create(layout, operation, transposed, t => layout.IsLevelZeroBridge(t));
                plan.Steps.Where(s => s.Kind == PlanStepKind.Product).ShouldAllBe(s => layout.IsLevelZeroBridge(s.Tensor));
                // Only what the neighbour bridge needs is left: the previous-input slot (apply) and the residual.
                plan.ScratchSlots.ShouldBeLessThanOrEqualTo(2);
                var full = ExecutionPlan.Create(layout, operation, transposed);
                plan.Steps.Count.ShouldBeLessThan(full.Steps.Count);
            }
    }

    [Fact]
    public void With_every_tensor_stored_the_plan_is_the_full_plan()
    {
        foreach (var kind in new[] { GfmmKind.Lower, GfmmKind.Upper })
        {
            var layout = new GfmmLayout(kind, 16, 3);
            foreach (var operation in new[] { PlanOperation.Solve, PlanOperation.Apply })
                foreach (bool transposed in new[] { false, true })
                    ExecutionPlan.Create(layout, operation, transposed, _ => true).Steps
                        .ShouldBe(ExecutionPlan.Create(layout, operation, transposed).Steps);
        }
    }

    [Fact]
    public void A_stored_tensor_that_is_all_zeros_is_dropped_on_load_and_in_the_solver()
    {
        var model = GfmmRandom.WellConditioned(4, 2, seed: 3);
        int victim = model.L.Layout.Encoder(1, 0);
        model.L.Tensor(victim).Clear();
        model.L.IsStored(victim).ShouldBeTrue();
        model.L.WithoutZeroTensors().IsStored(victim).ShouldBeFalse();
        GfmmModel.Parse(Encoding.UTF8.GetString(model.ToUtf8Json())).L.IsStored(victim).ShouldBeFalse();
    }

    [Fact]
    public void The_solvers_copy_holds_the_non_zero_tensors_in_the_order_its_solve_first_reads_them()
    {
        var model = GfmmRandom.WellConditioned(8, 3, seed: 17);
        int zero = model.L.Layout.Decoder(1, 2);
        model.L.Tensor(zero).Clear();
        var store = model.L.Store<float>();
        var plan = ExecutionPlan.Create(store.Layout, PlanOperation.Solve, transposed: false, store.IsNonZero);
        var transposedPlan = ExecutionPlan.Create(store.Layout, PlanOperation.Solve, transposed: true, store.IsNonZero);
        var reads = plan.Steps.Where(step => step.Kind == PlanStepKind.Product).Select(step => step.Tensor).ToList();
        var ordered = GfmmSolverFactors<float>.SolveWeights(store, new SparseEntries?[store.Layout.TensorCount], plan, transposedPlan);

        ordered.Offsets[zero].ShouldBe(-1, "an all-zero tensor is left out");
        // First reads come first, in order; nothing else is held: not the G_i (solved with from their own factored copy),
        // not the terms the plans prune (the root, the edges of each level).
        var firstReads = reads.Distinct().ToList();
        transposedPlan.Steps.Where(step => step.Kind == PlanStepKind.Product).Select(step => step.Tensor).Distinct().OrderBy(t => t)
            .ShouldBe(firstReads.OrderBy(t => t), "the transposed solve multiplies by the same tensors");
        int size = store.Layout.TensorSize, p = store.Layout.P;
        firstReads.Select(t => ordered.Offsets[t]).ShouldBe(Enumerable.Range(0, firstReads.Count).Select(k => k * size));
        ordered.Values.Length.ShouldBe(firstReads.Count * size);
        Enumerable.Range(0, 8).Select(store.Layout.Diagonal).ShouldAllBe(g => ordered.Offsets[g] == -1);
        Enumerable.Range(0, store.Layout.TensorCount).Count(t => ordered.Offsets[t] >= 0).ShouldBe(firstReads.Count);
        foreach (int t in firstReads)
        {
            // Random dense tensors are held whole and transposed.
            var tensor = store.Values.AsSpan(store.Offset(t), size).ToArray();
            ordered.Boxes[t].ShouldBe(LeadingBox.Whole(p), $"tensor {t}");
            var expected = Enumerable.Range(0, size).Select(k => tensor[(k % p * p) + (k / p)]).ToArray();
            ordered.Values.AsSpan(ordered.Offsets[t], size).ToArray().ShouldBe(expected, $"tensor {t}");
        }

        // The solver built on that copy still solves the model (dense double reference).
        var solver = new GfmmSolver(model);
        var b = Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i + 1)).ToArray();
        var x = new float[24];
        solver.Solve(b, x);
        var dense = model.ToDense();
        var residual = Enumerable.Range(0, 24).Select(i => Enumerable.Range(0, 24).Sum(j => dense[i * 24 + j] * x[j]) - b[i]).ToArray();
        Math.Sqrt(residual.Sum(r => r * r)).ShouldBeLessThan(1e-5 * Math.Sqrt(b.Sum(v => (double)v * v)));
    }

    [Fact]
    public void Version_2_files_record_N_and_refuse_what_they_cannot_hold()
    {
        var model = GfmmRandom.WellConditioned(4, 2, seed: 9);
        string json = Encoding.UTF8.GetString(model.ToUtf8Json());
        JsonNode.Parse(json)!["version"]!.GetValue<int>().ShouldBe(GfmmFile.CurrentVersion);
        JsonNode.Parse(json)!["N"]!.GetValue<int>().ShouldBe(8);

        string Edited(Action<JsonObject> edit)
        {
            var root = JsonNode.Parse(json)!.AsObject();
            edit(root);
            return root.ToJsonString();
        }
        GfmmFormatError ErrorOf(string text) => Should.Throw<GfmmFormatException>(() => GfmmModel.Parse(text)).Error;

        ErrorOf(Edited(root => root["N"] = 9)).ShouldBe(GfmmFormatError.Shape);
        ErrorOf(Edited(root => root["N"] = 0)).ShouldBe(GfmmFormatError.Shape);
        ErrorOf(Edited(root => root.Remove("N"))).ShouldBe(GfmmFormatError.Field);
        ErrorOf(Edited(root => root["scale"] = 1e-320)).ShouldBe(GfmmFormatError.Scale);
        ErrorOf(Edited(root => root["scale"] = 1e31)).ShouldBe(GfmmFormatError.Scale);
        ErrorOf(Edited(root => root["tensors"]!.AsObject().Remove("L.bridges.0.diag_blocks.2.W.weight"))).ShouldBe(GfmmFormatError.MissingTensor);
        // A non-diagonal tensor may be absent (zero), so its removal is caught by the checksum.
        ErrorOf(Edited(root => root["tensors"]!.AsObject().Remove("L.encoder.0.1.W.weight"))).ShouldBe(GfmmFormatError.Checksum);
        // A file declaring a huge M with a handful of tensors is refused before anything of size M is allocated.
        long before = GC.GetAllocatedBytesForCurrentThread();
        ErrorOf(Edited(root => root["M"] = 1 << 20)).ShouldBe(GfmmFormatError.MissingTensor);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1L << 20);
    }

    [Fact]
    public void Version_1_files_still_need_every_tensor_and_have_N_equal_to_M_times_P()
    {
        var model = GfmmRandom.WellConditioned(2, 2, seed: 4);
        var root = JsonNode.Parse(model.ToUtf8Json())!.AsObject();
        root["version"] = 1;
        root.Remove("N");
        GfmmModel.Parse(root.ToJsonString()).N.ShouldBe(4);
        root["tensors"]!.AsObject().Remove("U.decoder.0.1.W.weight");
        Should.Throw<GfmmFormatException>(() => GfmmModel.Parse(root.ToJsonString())).Error.ShouldBe(GfmmFormatError.MissingTensor);
    }

    [Fact]
    public void Saving_refuses_weights_the_reader_would_refuse()
    {
        var model = GfmmRandom.WellConditioned(2, 2, seed: 5);
        model.U.Tensor(model.U.Layout.Encoder(0, 1))[0] = 3e38f;
        Should.Throw<InvalidOperationException>(() => model.ToUtf8Json()).Message.ShouldContain("U.encoder.0.1.W.weight");
        Should.Throw<ArgumentOutOfRangeException>(() => new GfmmModel(model.L, model.U, 1e-320));
    }
}

using GenLu.Exact;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Trainer.Cli;
using GenLu.Trainer.Training;

namespace GenLu.Tests;

/// <summary>
/// Kernel operators given by their entries (issue 13): <c>genlu factor --operator rbf</c> at orders the dense operator
/// cannot reach without N² memory, the sampled-row error it records, and the entries-form problem's dense views.
/// </summary>
public sealed class EntriesCommandLineTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("genlu-entries-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    [Fact]
    public async Task Factor_of_a_kernel_above_the_dense_order_builds_from_entries_and_records_its_sampled_error()
    {
        const int n = 5000; // padded to 8192 (M = 256): above TrainingProblem.MaxDenseOrder, so no dense metrics
        var outcome = await Cli.Run("factor", "--operator", "rbf", "--n", $"{n}", "--out", PathOf("rbf.gfmm.json"));
        outcome.Error.ShouldBeEmpty();
        outcome.ExitCode.ShouldBe(0);
        outcome.Output.ShouldContain("compression: 256/256 leaves");
        outcome.Output.ShouldContain("random rows");

        var model = GfmmModel.Load(PathOf("rbf.gfmm.json"));
        (model.N, model.M, model.P).ShouldBe((n, 256, 32));
        double recorded = model.Provenance.Metrics!.AdditionalFields[ModelExport.SampledRowErrorField]!.GetValue<double>();
        recorded.ShouldBeLessThan(1e-6);

        // An independent check of the file's factors on other rows: the kernel's entries against (s L U) row by row.
        var scaled = TestOperators.CreateEntries("rbf", n)!;
        SampledError.Estimate(model, scaled.Entries, rows: 8, seed: 99).RelativeFrobenius.ShouldBeLessThan(1e-6);
        model.Scale.ShouldBe(scaled.Scale);
    }

    [Fact]
    public void A_kernel_problem_is_its_entries_and_densifies_to_the_dense_operator_bit_for_bit()
    {
        var problem = TrainingProblem.FromBuiltIn("rbf", 300, new Dictionary<string, double> { ["lengthScale"] = 0.1 });
        problem.Entries.ShouldNotBeNull();
        problem.Sparse.ShouldBeNull();
        var dense = TestOperators.RbfKernel(300, lengthScale: 0.1);
        problem.Scale.ShouldBe(dense.Scale);
        problem.PaddedMatrix(300).ShouldBe(dense.Matrix);

        var x = Enumerable.Range(0, 300).Select(i => Math.Sin(i)).ToArray();
        var y = new double[300];
        problem.Apply(x, y);
        for (int i = 0; i < 300; i++)
        {
            double expected = 0;
            for (int j = 0; j < 300; j++) expected += dense.Matrix[(i * 300) + j] * x[j];
            y[i].ShouldBe(expected, 1e-12);
        }

        var large = TrainingProblem.FromBuiltIn("rbf", 100_000);
        large.N.ShouldBe(100_000);
        large.CanBeDense.ShouldBeFalse();
        Should.Throw<InvalidOperationException>(() => large.PaddedMatrix(100_000)).Message.ShouldContain("factor it exactly");
    }

    [Fact]
    public void Stencil_operators_have_no_entries_form_and_unknown_parameters_are_refused()
    {
        TestOperators.CreateEntries("laplacian1d", 10).ShouldBeNull();
        Should.Throw<ArgumentException>(() => TestOperators.CreateEntries("rbf", 10, new Dictionary<string, double> { ["width"] = 1 }))
            .Message.ShouldContain("no parameter 'width'");
    }
}

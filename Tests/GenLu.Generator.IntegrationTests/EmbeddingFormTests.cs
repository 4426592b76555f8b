using System.Reflection;

namespace GenLu.IntegrationTests;

/// <summary>
/// This project's build runs the real build step (GenLu.Generator.targets and genlu-embed, as a package consumer's
/// does): the Laplacian's data is a manifest resource read in place, the other models' data literals; the M = 8
/// models' schedules are looped over step tables (GenLuUnrollMaxLeaves = 4), the M = 2 model's unrolled. The solve
/// tests of these classes (dense reference, Runtime agreement, allocation) therefore cover every form; these tests
/// check that each class really has the form it is meant to.
/// </summary>
public class EmbeddingFormTests
{
    [Fact]
    public void The_laplacian_reads_its_data_from_a_manifest_resource_and_the_others_hold_literals()
    {
        var assembly = typeof(Laplacian1D).Assembly;
        var resources = assembly.GetManifestResourceNames().Where(name => name.EndsWith(".gfmm.bin", StringComparison.Ordinal)).ToList();
        resources.ShouldHaveSingleItem().ShouldStartWith("GenLu.laplacian1d-");
        using (var stream = assembly.GetManifestResourceStream(resources[0]))
            stream.ShouldBeAssignableTo<UnmanagedMemoryStream>("mapped with the image: read in place, not copied");

        typeof(Laplacian1D).GetNestedType("EmbeddedData", BindingFlags.NonPublic).ShouldNotBeNull();
        typeof(WellConditionedSolver).GetNestedType("EmbeddedData", BindingFlags.NonPublic).ShouldBeNull();
        typeof(ReferenceSolver).GetNestedType("EmbeddedData", BindingFlags.NonPublic).ShouldBeNull();
    }

    [Fact]
    public void Models_above_the_unroll_limit_run_step_tables_and_the_small_one_straight_line_code()
    {
        static bool Looped(Type type) => type.GetMethod("RunSteps", BindingFlags.NonPublic | BindingFlags.Static) is not null;
        Looped(typeof(Laplacian1D)).ShouldBeTrue();
        Looped(typeof(WellConditionedSolver)).ShouldBeTrue();
        Looped(typeof(ReferenceSolver)).ShouldBeFalse();
    }

    [Fact]
    public void The_resource_form_solves_the_laplacian_exactly_as_its_closed_form()
    {
        // tridiag(-1, 2, -1) x = 1 with Dirichlet ends: x_i = (i + 1)(N - i) / 2.
        var b = Enumerable.Repeat(1f, Laplacian1D.N).ToArray();
        var x = new float[Laplacian1D.N];
        Laplacian1D.Solve(b, x);
        for (int i = 0; i < x.Length; i++)
            Math.Abs(x[i] - (i + 1) * (Laplacian1D.N - i) / 2.0).ShouldBeLessThan(1e-4 * (Laplacian1D.N + 1) * (Laplacian1D.N + 1) / 8.0, $"x[{i}]");
    }
}

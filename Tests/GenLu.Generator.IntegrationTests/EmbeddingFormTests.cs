using System.Reflection;

namespace GenLu.IntegrationTests;

/// <summary>
/// This project's build runs the real build step (GenLu.Generator.targets and genlu-embed, as a package consumer's
/// does): the Laplacian's data (floats) and the float64 kernel's (doubles) are manifest resources read in place, the
/// other models' data literals; the M = 8 models' schedules are looped over step tables (GenLuUnrollMaxLeaves = 4), the
/// M = 2 models' unrolled. The solve
/// tests of these classes (dense reference, Runtime agreement, allocation) therefore cover every form; these tests
/// check that each class really has the form it is meant to.
/// </summary>
public class EmbeddingFormTests
{
    [Fact]
    public void The_laplacian_and_the_float64_kernel_read_their_data_from_manifest_resources_and_the_others_hold_literals()
    {
        var assembly = typeof(Laplacian1D).Assembly;
        var resources = assembly.GetManifestResourceNames().Where(name => name.EndsWith(".gfmm.bin", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        resources.Count.ShouldBe(2);
        resources[0].ShouldStartWith("GenLu.laplacian1d-");
        resources[1].ShouldStartWith("GenLu.rbf-float64-m2p32-");
        foreach (string resource in resources)
            using (var stream = assembly.GetManifestResourceStream(resource))
                stream.ShouldBeAssignableTo<UnmanagedMemoryStream>("mapped with the image: read in place, not copied");

        typeof(Laplacian1D).GetNestedType("EmbeddedData", BindingFlags.NonPublic).ShouldNotBeNull();
        typeof(KernelSolver64).GetNestedType("EmbeddedData", BindingFlags.NonPublic).ShouldNotBeNull();
        typeof(WellConditionedSolver).GetNestedType("EmbeddedData", BindingFlags.NonPublic).ShouldBeNull();
        typeof(WidenedSolver).GetNestedType("EmbeddedData", BindingFlags.NonPublic).ShouldBeNull();
        typeof(ReferenceSolver).GetNestedType("EmbeddedData", BindingFlags.NonPublic).ShouldBeNull();
    }

    [Fact]
    public void Models_above_the_unroll_limit_run_step_tables_and_the_small_one_straight_line_code()
    {
        static bool Looped(Type type) => type.GetMethod("RunSteps", BindingFlags.NonPublic | BindingFlags.Static) is not null;
        Looped(typeof(Laplacian1D)).ShouldBeTrue();
        Looped(typeof(WellConditionedSolver)).ShouldBeTrue();
        Looped(typeof(WidenedSolver)).ShouldBeTrue();
        Looped(typeof(ReferenceSolver)).ShouldBeFalse();
        Looped(typeof(KernelSolver64)).ShouldBeFalse();
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

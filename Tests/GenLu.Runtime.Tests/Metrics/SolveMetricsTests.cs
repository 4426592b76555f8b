using GenLu.Metrics;
using GenLu.Solvers;
using GenLu.Tests.Support;
using GenLu.Gfmm;

namespace GenLu.Tests.Metrics;

public class SolveMetricsTests
{
    [Fact]
    public void Perturbed_factors_give_visible_plain_errors_and_tolerance_level_refined_errors()
    {
        const int m = 8, p = 32, n = m * p;
        var model = LaplacianBlockLu.Build(m, p, noise: 1e-2, seed: 5);
        var a = LinearOperator.FromDense(LaplacianBlockLu.Matrix(n), n);
        double normA = 2 - 2 * Math.Cos(Math.PI * n / (n + 1));
        var report = SolveMetrics.Measure(a, normA, model, new SolveMetricsOptions { Samples = 40 });

        report.Samples.ShouldBe(40);
        report.NotConverged.ShouldBe(0);
        report.Refined.MaxBackwardError.ShouldBeLessThanOrEqualTo(1e-12);
        report.Refined.RelativeErrorX.ShouldBeLessThan(1e-7); // cond(A) ≈ 2.7e4 times the 1e-12 residual
        // 1e-2 noise in the factors: the plain solve is visibly inexact, far above the refined one.
        report.Plain.MeanBackwardError.ShouldBeGreaterThan(1e-4);
        report.Plain.MaxBackwardError.ShouldBeGreaterThanOrEqualTo(report.Plain.MeanBackwardError);
        report.MeanIterations.ShouldBeInRange(1, 40);
        report.MaxIterations.ShouldBeGreaterThanOrEqualTo((int)Math.Ceiling(report.MeanIterations));
    }

    [Fact]
    public void A_model_off_by_a_factor_of_two_shows_in_the_true_b_figures_but_not_in_the_reference_style_one()
    {
        // A = 2 s L U exactly, so every plain solve returns (s L U)⁻¹ 2 s L U x = 2 x: ‖X − X̂‖_F / ‖X‖_F = 1, while
        // b̂ = Â x hides the mismatch entirely.
        var model = GfmmRandom.WellConditioned(4, 4, seed: 2);
        var twice = model.ToDense().Select(v => 2 * v).ToArray();
        var a = LinearOperator.FromDense(twice, model.N);
        double frobenius = Math.Sqrt(twice.Sum(v => v * v)); // an upper bound of ‖A‖₂ is enough here
        var report = SolveMetrics.Measure(a, frobenius, model, new SolveMetricsOptions { Samples = 30, Method = RefinementMethod.Gmres });

        report.Plain.RelativeErrorX.ShouldBe(1, 1e-5);
        report.Plain.ErrorX.ShouldBe(Math.Sqrt(30 * model.N), 0.2 * Math.Sqrt(30 * model.N)); // ‖X‖_F ≈ √(samples · N)
        report.ReferenceStyle.RelativeErrorX.ShouldBeLessThan(1e-5);
        report.Refined.RelativeErrorX.ShouldBeLessThan(1e-10);
    }

    [Fact]
    public void Iterative_refinement_can_be_chosen_and_the_same_seed_gives_the_same_report()
    {
        const int m = 4, p = 8, n = m * p;
        var model = LaplacianBlockLu.Build(m, p, noise: 1e-3, seed: 1);
        var a = LinearOperator.FromDense(LaplacianBlockLu.Matrix(n), n);
        var options = new SolveMetricsOptions { Samples = 10, Seed = 9, Method = RefinementMethod.IterativeRefinement };
        var first = SolveMetrics.Measure(a, 4, model, options);
        var second = SolveMetrics.Measure(a, 4, model, options);
        first.ShouldBe(second);
        first.Method.ShouldBe(RefinementMethod.IterativeRefinement);
        first.NotConverged.ShouldBe(0);
        SolveMetrics.Measure(a, 4, model, options with { Seed = 10 }).Plain.ShouldNotBe(first.Plain);
    }

    [Fact]
    public void Bad_arguments_are_rejected_naming_the_argument()
    {
        var model = GfmmRandom.WellConditioned(2, 2, seed: 1);
        var a = LinearOperator.FromDense(model.ToDense(), 4);
        Should.Throw<ArgumentException>(() => SolveMetrics.Measure(LinearOperator.FromDense(new double[9], 3), 1, model)).ParamName.ShouldBe("model");
        Should.Throw<ArgumentOutOfRangeException>(() => SolveMetrics.Measure(a, 0, model)).ParamName.ShouldBe("spectralNormA");
        Should.Throw<ArgumentOutOfRangeException>(() => SolveMetrics.Measure(a, 1, model, new SolveMetricsOptions { Samples = 0 })).ParamName.ShouldBe("options");
    }
}

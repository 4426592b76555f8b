using GenLu.Tests.Support;
using GenLu.Gfmm;

namespace GenLu.Tests.Gfmm;

/// <summary>
/// A model larger than the caches: its passes prefetch each next tensor (GfmmPass), which no small test reaches. The
/// solves must still invert the spec's literal products, computed node by node in double.
/// </summary>
public class LargeModelSolveTests
{
    [Fact]
    public void Solves_of_a_model_beyond_the_caches_invert_the_literal_products()
    {
        // M = 1024, P = 32: 7,166 tensors of 4 KB per factor, 28 MiB, above the 16 MiB from which the passes prefetch.
        var model = GfmmRandom.WellConditioned(1024, 32, seed: 5);
        (model.L.StoredWeightCount * sizeof(float)).ShouldBeGreaterThan(16L << 20);
        var solver = new GfmmSolver(model);
        var b = DenseMath.ToFloat(DenseMath.RandomVector(model.N, new Random(6)));
        var x = new float[model.N];
        var workspace = solver.CreateWorkspace();

        solver.Solve(b, x, workspace);
        var lux = NaiveGfmm.Multiply(model.L, NaiveGfmm.Multiply(model.U, DenseMath.ToDouble(x)));
        DenseMath.RelativeError(DenseMath.ToDouble(b), Scaled(lux, model.Scale)).ShouldBeLessThan(1e-5);

        solver.SolveTranspose(b, x, workspace);
        var ultx = NaiveGfmm.MultiplyTranspose(model.U, NaiveGfmm.MultiplyTranspose(model.L, DenseMath.ToDouble(x)));
        DenseMath.RelativeError(DenseMath.ToDouble(b), Scaled(ultx, model.Scale)).ShouldBeLessThan(1e-5);

        var y = new float[model.N];
        model.Apply(b, y);
        var expected = Scaled(NaiveGfmm.Multiply(model.L, NaiveGfmm.Multiply(model.U, DenseMath.ToDouble(b))), model.Scale);
        DenseMath.RelativeError(expected, y).ShouldBeLessThan(1e-5);
    }

    private static double[] Scaled(double[] v, double s) => v.Select(e => e * s).ToArray();
}

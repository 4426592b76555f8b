using GenLu.Tests.Support;
using GenLu.Gfmm;
using GenLu.Structure;
using GenLu.Trainer.Training;

namespace GenLu.Tests;

public class FreezePlanTests
{
    /// <summary>
    /// Independent check of the structural derivation: a tensor influences a set of entries of L·U exactly
    /// when perturbing it (with all weights random, so no accidental cancellation) changes one of them.
    /// </summary>
    [Theory]
    [InlineData(4, false)]
    [InlineData(4, true)]
    [InlineData(8, false)]
    [InlineData(8, true)]
    public void FrozenTensorsAreExactlyThoseThatMoveTheFittedRowsOrColumns(int m, bool transposeLoss)
    {
        const int p = 2;
        int n = m * p;
        var random = new Random(9);
        var lower = new GfmmBlock(new GfmmLayout(GfmmKind.Lower, m, p), RandomWeights(new GfmmLayout(GfmmKind.Lower, m, p), random));
        var upper = new GfmmBlock(new GfmmLayout(GfmmKind.Upper, m, p), RandomWeights(new GfmmLayout(GfmmKind.Upper, m, p), random));
        double[,] baseline = Product(lower, upper);

        for (int fitted = 0; fitted <= m; fitted++)
        {
            var (lowerFrozen, upperFrozen) = FreezePlan.Frozen(m, p, fitted, transposeLoss);
            int limit = fitted * p;
            foreach (var (block, frozen) in new[] { (lower, lowerFrozen), (upper, upperFrozen) })
            {
                for (int t = 0; t < block.Layout.TensorCount; t++)
                {
                    var saved = block.Tensor(t).ToArray();
                    for (int k = 0; k < saved.Length; k++) block.Tensor(t)[k] += 0.5f;
                    double[,] moved = Product(lower, upper);
                    saved.CopyTo(block.Tensor(t));

                    bool influences = false;
                    for (int r = 0; r < n; r++)
                        for (int c = 0; c < n; c++)
                            if ((r < limit || (transposeLoss && c < limit)) && Math.Abs(moved[r, c] - baseline[r, c]) > 1e-9)
                                influences = true;
                    frozen[t].ShouldBe(influences, $"{block.Kind} {block.Layout.TensorName(t)} after {fitted} blocks");
                }
            }
        }
    }

    private static float[] RandomWeights(GfmmLayout layout, Random random) =>
        Enumerable.Range(0, layout.WeightCount).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

    private static double[,] Product(GfmmBlock lower, GfmmBlock upper)
    {
        int n = lower.N;
        var result = new double[n, n];
        for (int c = 0; c < n; c++)
        {
            var e = new double[n];
            e[c] = 1;
            var column = NaiveGfmm.Multiply(lower, NaiveGfmm.Multiply(upper, e));
            for (int r = 0; r < n; r++) result[r, c] = column[r];
        }
        return result;
    }
}

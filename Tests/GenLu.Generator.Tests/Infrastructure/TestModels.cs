using GenLu.Gfmm;

namespace GenLu.Tests.Infrastructure;

/// <summary>
/// Deterministic GFMM models for generator tests. SplitMix64 rather than System.Random, so a seed names the
/// same weights on every runtime (the integration tests regenerate a committed weight file byte for byte).
/// </summary>
internal static class TestModels
{
    /// <summary>Every off-diagonal tensor uniform in ±0.5/√P (spectral norms below 1) and every diagonal block
    /// <c>G_i = I</c> plus uniform ±0.3/√P: L and U are block triangular with well-conditioned diagonals.</summary>
    public static GfmmModel WellConditioned(int m, int p, ulong seed, double scale = 1)
    {
        var model = GfmmModel.Zero(m, p, scale);
        var random = new SplitMix64(seed);
        foreach (var block in new[] { model.L, model.U })
        {
            var layout = block.Layout;
            for (int t = 0; t < layout.TensorCount; t++)
            {
                var tensor = block.Tensor(t);
                for (int k = 0; k < tensor.Length; k++) tensor[k] = (float)(random.NextSymmetric() * 0.5 / Math.Sqrt(p));
            }
            for (int i = 0; i < m; i++)
            {
                var g = block.Tensor(layout.Diagonal(i));
                for (int k = 0; k < g.Length; k++) g[k] = (float)(random.NextSymmetric() * 0.3 / Math.Sqrt(p));
                for (int d = 0; d < p; d++) g[d * p + d] += 1f;
            }
        }
        return model;
    }

    /// <summary>The order a factor's stored tensors are embedded in, derived here from the solve plan: the tensors its
    /// products read, at their first read, then the other stored ones ascending.</summary>
    public static IEnumerable<int> EmbeddedOrder(GenLu.Structure.GfmmLayout layout, Func<int, bool> isStored)
    {
        var reads = GenLu.Structure.ExecutionPlan.Create(layout, GenLu.Structure.PlanOperation.Solve, transposed: false, isStored).Steps
            .Where(step => step.Kind == GenLu.Structure.PlanStepKind.Product).Select(step => step.Tensor).Distinct().ToList();
        return reads.Concat(Enumerable.Range(0, layout.TensorCount).Where(t => isStored(t) && !reads.Contains(t)));
    }

    public static string Json(GfmmModel model) => System.Text.Encoding.UTF8.GetString(model.ToUtf8Json());

    /// <summary>SplitMix64 (Steele, Lea and Flood, 2014).</summary>
    private sealed class SplitMix64(ulong seed)
    {
        private ulong state = seed;

        public ulong Next()
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>Uniform in [-1, 1), from the top 53 bits.</summary>
        public double NextSymmetric() => (Next() >> 11) * (2.0 / (1UL << 53)) - 1.0;
    }
}

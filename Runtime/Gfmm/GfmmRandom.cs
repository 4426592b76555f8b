using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>
/// Deterministic models with RANDOM weights — not trained on any operator — for benchmarks and tests
/// that need a realistic, well-conditioned structure of a given shape.
/// </summary>
internal static class GfmmRandom
{
    /// <summary>
    /// A model whose diagonal blocks are <c>G_i = I + noise</c> (entries uniform in ±0.2/P, so
    /// ‖G_i − I‖₂ ≲ 0.25/√P) and whose other weights are uniform in ±0.5/P (each edge has ‖W‖₂ ≲ 0.6/√P,
    /// so a path encoder · bridge · decoder is small): L and U stay close to the identity, every G_i is
    /// safely invertible and <c>s · L · U</c> is well-conditioned. Scale 1. The same seed gives the same
    /// weights (System.Random's seeded sequence).
    /// </summary>
    public static GfmmModel WellConditioned(int m, int p, int seed)
    {
        var model = GfmmModel.Zero(m, p);
        var random = new Random(seed);
        foreach (var block in new[] { model.L, model.U })
        {
            float offDiagonal = 0.5f / p, diagonalNoise = 0.2f / p;
            for (int t = 0; t < block.Layout.TensorCount; t++)
            {
                Span<float> tensor = block.Tensor(t);
                bool isDiagonal = IsDiagonalBlock(block.Layout, t);
                float amplitude = isDiagonal ? diagonalNoise : offDiagonal;
                for (int k = 0; k < tensor.Length; k++) tensor[k] = amplitude * (2 * random.NextSingle() - 1);
                if (isDiagonal)
                    for (int k = 0; k < p; k++) tensor[k * p + k] += 1;
            }
        }
        return model;
    }

    private static bool IsDiagonalBlock(GfmmLayout layout, int tensor) =>
        tensor >= layout.Diagonal(0) && tensor <= layout.Diagonal(layout.M - 1);
}

namespace GenLu.Tests;

/// <summary>
/// The spec's products written out edge by edge in double precision: the independent reference the
/// batched TorchSharp module is checked against.
/// </summary>
internal static class NaiveGfmm
{
    public static double[] Multiply(GfmmBlock block, double[] x, bool transposed = false)
    {
        var layout = block.Layout;
        int m = layout.M, p = layout.P, levels = layout.Levels;
        bool lower = layout.Kind == GfmmKind.Lower;
        // For F: up-edges are encoders, down-edges decoders. For F^T: decoders^T up, encoders^T down.
        Func<int, int, int> upEdge = transposed ? layout.Decoder : layout.Encoder;
        Func<int, int, int> downEdge = transposed ? layout.Encoder : layout.Decoder;

        var up = new double[levels + 1][][];
        up[0] = Enumerable.Range(0, m).Select(i => x[(i * p)..((i + 1) * p)]).ToArray();
        for (int l = 0; l < levels; l++)
        {
            int d = m >> l;
            up[l + 1] = new double[d / 2][];
            for (int j = 0; j < d / 2; j++)
                up[l + 1][j] = Add(Apply(block, upEdge(l, 2 * j), up[l][2 * j], transposed), Apply(block, upEdge(l, 2 * j + 1), up[l][2 * j + 1], transposed));
        }

        double[][] down = [new double[p]]; // the root is zero
        for (int l = levels - 1; l >= 0; l--)
        {
            int d = m >> l;
            var next = new double[d][];
            for (int i = 0; i < d; i++)
            {
                var value = Apply(block, downEdge(l, i), down[i / 2], transposed);
                if (l == 0) value = Add(value, Apply(block, layout.Diagonal(i), up[0][i], transposed));
                // F (lower): Lo_{i-1} s_{i-1}; F (upper): Up_i s_{i+1};
                // F^T (lower): Lo_i^T t_{i+1}; F^T (upper): Up_{i-1}^T t_{i-1}.
                bool fromPrevious = lower != transposed;
                int k = fromPrevious ? i - 1 : i;
                int source = fromPrevious ? i - 1 : i + 1;
                if (source >= 0 && source < d)
                {
                    int tensor = lower ? layout.LowerBridge(l, k) : layout.UpperBridge(l, k);
                    value = Add(value, Apply(block, tensor, up[l][source], transposed));
                }
                next[i] = value;
            }
            down = next;
        }
        return down.SelectMany(v => v).ToArray();
    }

    private static double[] Apply(GfmmBlock block, int tensor, double[] v, bool transposed)
    {
        int p = block.P;
        var w = block.Tensor(tensor);
        var result = new double[p];
        for (int r = 0; r < p; r++)
            for (int c = 0; c < p; c++)
                result[r] += (transposed ? w[c * p + r] : w[r * p + c]) * v[c];
        return result;
    }

    private static double[] Add(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
}

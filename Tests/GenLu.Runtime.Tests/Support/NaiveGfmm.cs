using GenLu.Gfmm;
using GenLu.Structure;

namespace GenLu.Tests.Support;

/// <summary>
/// The spec's equations written out literally in double precision, node by node, as an independent
/// reference for the fast node-major passes. Slow on purpose: no workspaces, no batching, no kernels.
/// </summary>
internal static class NaiveGfmm
{
    /// <summary>Spec "Forward product": upward pass, root, downward pass with the kind's bridges.</summary>
    public static double[] Multiply(GfmmBlock block, double[] x)
    {
        var layout = block.Layout;
        int levels = layout.Levels;
        var s = new double[levels + 1][][];
        s[0] = Split(x, layout.M, layout.P);
        for (int l = 0; l < levels; l++)
        {
            s[l + 1] = new double[layout.NodeCount(l + 1)][];
            for (int j = 0; j < s[l + 1].Length; j++)
                s[l + 1][j] = Add(Apply(block, layout.Encoder(l, 2 * j), s[l][2 * j], false), Apply(block, layout.Encoder(l, 2 * j + 1), s[l][2 * j + 1], false));
        }
        var y = new double[levels + 1][][];
        y[levels] = [layout.Root >= 0 ? Apply(block, layout.Root, s[levels][0], false) : new double[layout.P]];
        for (int l = levels - 1; l >= 0; l--)
        {
            int d = layout.NodeCount(l);
            y[l] = new double[d][];
            for (int i = 0; i < d; i++)
            {
                var value = Apply(block, layout.Decoder(l, i), y[l + 1][i / 2], false);
                if (l == 0) value = Add(value, Apply(block, layout.Diagonal(i), s[l][i], false));
                if (layout.HasLowerBridges && i - 1 >= 0) value = Add(value, Apply(block, layout.LowerBridge(l, i - 1), s[l][i - 1], false));
                if (layout.HasUpperBridges && i + 1 < d) value = Add(value, Apply(block, layout.UpperBridge(l, i), s[l][i + 1], false));
                y[l][i] = value;
            }
        }
        return y[0].SelectMany(v => v).ToArray();
    }

    /// <summary>Spec "Transposed product": decoders transposed up, root transposed, bridges and encoders transposed down.</summary>
    public static double[] MultiplyTranspose(GfmmBlock block, double[] x)
    {
        var layout = block.Layout;
        int levels = layout.Levels;
        var t = new double[levels + 1][][];
        t[0] = Split(x, layout.M, layout.P);
        for (int l = 0; l < levels; l++)
        {
            t[l + 1] = new double[layout.NodeCount(l + 1)][];
            for (int j = 0; j < t[l + 1].Length; j++)
                t[l + 1][j] = Add(Apply(block, layout.Decoder(l, 2 * j), t[l][2 * j], true), Apply(block, layout.Decoder(l, 2 * j + 1), t[l][2 * j + 1], true));
        }
        var z = new double[levels + 1][][];
        z[levels] = [layout.Root >= 0 ? Apply(block, layout.Root, t[levels][0], true) : new double[layout.P]];
        for (int l = levels - 1; l >= 0; l--)
        {
            int d = layout.NodeCount(l);
            z[l] = new double[d][];
            for (int i = 0; i < d; i++)
            {
                var value = Apply(block, layout.Encoder(l, i), z[l + 1][i / 2], true);
                if (l == 0) value = Add(value, Apply(block, layout.Diagonal(i), t[l][i], true));
                if (layout.HasLowerBridges && i + 1 < d) value = Add(value, Apply(block, layout.LowerBridge(l, i), t[l][i + 1], true));
                if (layout.HasUpperBridges && i - 1 >= 0) value = Add(value, Apply(block, layout.UpperBridge(l, i - 1), t[l][i - 1], true));
                z[l][i] = value;
            }
        }
        return z[0].SelectMany(v => v).ToArray();
    }

    /// <summary>The dense matrix of a block, column j = F e_j by the naive product.</summary>
    public static double[,] Dense(GfmmBlock block)
    {
        int n = block.N;
        var dense = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            var e = new double[n];
            e[j] = 1;
            var column = Multiply(block, e);
            for (int i = 0; i < n; i++) dense[i, j] = column[i];
        }
        return dense;
    }

    /// <summary>A block of any kind with every weight uniform in [-1, 1] (no structure assumed).</summary>
    public static GfmmBlock RandomBlock(GfmmKind kind, int m, int p, int seed)
    {
        var layout = new GfmmLayout(kind, m, p);
        var random = new Random(seed);
        var weights = new float[layout.WeightCount];
        for (int k = 0; k < weights.Length; k++) weights[k] = (float)(2 * random.NextDouble() - 1);
        return new GfmmBlock(layout, weights);
    }

    private static double[] Apply(GfmmBlock block, int tensor, double[] v, bool transpose)
    {
        int p = block.P;
        var result = new double[p];
        if (!block.IsStored(tensor)) return result; // a tensor that is not stored is zero
        var w = block.Tensor(tensor);
        for (int o = 0; o < p; o++)
            for (int k = 0; k < p; k++)
                result[o] += (transpose ? w[k * p + o] : w[o * p + k]) * v[k];
        return result;
    }

    private static double[][] Split(double[] x, int m, int p) =>
        Enumerable.Range(0, m).Select(i => x.Skip(i * p).Take(p).ToArray()).ToArray();

    private static double[] Add(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
}

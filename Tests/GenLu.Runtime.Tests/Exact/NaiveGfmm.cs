namespace GenLu.Tests.Exact;

/// <summary>
/// A test oracle written straight from the spec's forward product (upward pass, root, downward pass with the bridge kinds),
/// in double from the stored float weights, and the dense matrices it implies. Deliberately naive and independent of
/// the Runtime's products.
/// </summary>
internal static class NaiveGfmm
{
    public static double[] Apply(GfmmBlock f, double[] x)
    {
        var layout = f.Layout;
        int p = layout.P, levels = layout.Levels;
        var s = new double[levels + 1][][];
        s[0] = Enumerable.Range(0, layout.M).Select(i => x[(i * p)..((i + 1) * p)]).ToArray();
        for (int l = 0; l < levels; l++)
        {
            s[l + 1] = Enumerable.Range(0, layout.NodeCount(l) / 2)
                .Select(j => Add(Mul(f, layout.Encoder(l, 2 * j), s[l][2 * j]), Mul(f, layout.Encoder(l, (2 * j) + 1), s[l][(2 * j) + 1])))
                .ToArray();
        }

        double[][] parent = [layout.Root >= 0 ? Mul(f, layout.Root, s[levels][0]) : new double[p]];
        for (int l = levels - 1; l >= 0; l--)
        {
            int d = layout.NodeCount(l);
            var y = new double[d][];
            for (int i = 0; i < d; i++)
            {
                var value = Mul(f, layout.Decoder(l, i), parent[i / 2]);
                if (l == 0)
                {
                    value = Add(value, Mul(f, layout.Diagonal(i), s[0][i]));
                }

                if (layout.HasLowerBridges && i > 0)
                {
                    value = Add(value, Mul(f, layout.LowerBridge(l, i - 1), s[l][i - 1]));
                }

                if (layout.HasUpperBridges && i < d - 1)
                {
                    value = Add(value, Mul(f, layout.UpperBridge(l, i), s[l][i + 1]));
                }

                y[i] = value;
            }

            parent = y;
        }

        return parent.SelectMany(v => v).ToArray();
    }

    /// <summary>The dense N x N matrix (row-major) of a block, column by column from unit vectors.</summary>
    public static double[] Dense(GfmmBlock f)
    {
        int n = f.N;
        var dense = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            var e = new double[n];
            e[j] = 1;
            var column = Apply(f, e);
            for (int i = 0; i < n; i++)
            {
                dense[(i * n) + j] = column[i];
            }
        }

        return dense;
    }

    public static double[] Multiply(double[] a, double[] b, int n)
    {
        var c = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < n; k++)
            {
                double aik = a[(i * n) + k];
                if (aik == 0)
                {
                    continue;
                }

                for (int j = 0; j < n; j++)
                {
                    c[(i * n) + j] += aik * b[(k * n) + j];
                }
            }
        }

        return c;
    }

    /// <summary>Solves a x = b by Gaussian elimination with partial pivoting on a copy (dense oracle).</summary>
    public static double[] Solve(double[] a, double[] b, int n)
    {
        var m = (double[])a.Clone();
        var x = (double[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int r = k + 1; r < n; r++)
            {
                if (Math.Abs(m[(r * n) + k]) > Math.Abs(m[(pivot * n) + k]))
                {
                    pivot = r;
                }
            }

            for (int c = 0; c < n; c++)
            {
                (m[(k * n) + c], m[(pivot * n) + c]) = (m[(pivot * n) + c], m[(k * n) + c]);
            }

            (x[k], x[pivot]) = (x[pivot], x[k]);
            for (int r = k + 1; r < n; r++)
            {
                double factor = m[(r * n) + k] / m[(k * n) + k];
                if (factor == 0)
                {
                    continue;
                }

                for (int c = k; c < n; c++)
                {
                    m[(r * n) + c] -= factor * m[(k * n) + c];
                }

                x[r] -= factor * x[k];
            }
        }

        for (int k = n - 1; k >= 0; k--)
        {
            double sum = x[k];
            for (int c = k + 1; c < n; c++)
            {
                sum -= m[(k * n) + c] * x[c];
            }

            x[k] = sum / m[(k * n) + k];
        }

        return x;
    }

    private static double[] Mul(GfmmBlock f, int tensor, double[] x)
    {
        var w = f.Tensor(tensor);
        int p = f.P;
        var y = new double[p];
        for (int r = 0; r < p; r++)
        {
            double sum = 0;
            for (int c = 0; c < p; c++)
            {
                sum += w[(r * p) + c] * x[c];
            }

            y[r] = sum;
        }

        return y;
    }

    private static double[] Add(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
}

using GenLu.Sparse;

namespace GenLu.Operators;

public static partial class TestOperators
{
    /// <summary>
    /// Where a stencil operator is assembled: entries added (summed in the order they come), scaled, squared. The dense
    /// and the sparse form do each step with the same arithmetic in the same order.
    /// </summary>
    private abstract class Assembly(int n)
    {
        public int N => n;

        public abstract void Add(int i, int j, double value);

        public abstract double MaxMagnitude();

        public abstract void Scale(double factor);

        /// <summary>The square of this symmetric matrix with half-bandwidth <paramref name="bandwidth"/> (no entry farther from the diagonal).</summary>
        public abstract Assembly SquareOfSymmetricBanded(int bandwidth);
    }

    private sealed class DenseAssembly(int n) : Assembly(n)
    {
        public double[] Values { get; } = new double[(long)n * n];

        public override void Add(int i, int j, double value) => Values[((long)i * N) + j] += value;

        public override double MaxMagnitude()
        {
            double max = 0;
            foreach (double v in Values)
            {
                max = Math.Max(max, Math.Abs(v));
            }

            return max;
        }

        public override void Scale(double factor)
        {
            for (int i = 0; i < Values.Length; i++)
            {
                Values[i] *= factor;
            }
        }

        /// <summary>Visits only the band: O(n bandwidth²) instead of O(n³).</summary>
        public override Assembly SquareOfSymmetricBanded(int bandwidth)
        {
            var result = new DenseAssembly(N);
            for (int i = 0; i < N; i++)
            {
                for (int k = Math.Max(0, i - bandwidth); k <= Math.Min(N - 1, i + bandwidth); k++)
                {
                    double bik = Values[((long)i * N) + k];
                    if (bik == 0)
                    {
                        continue;
                    }

                    for (int j = Math.Max(0, k - bandwidth); j <= Math.Min(N - 1, k + bandwidth); j++)
                    {
                        result.Add(i, j, bik * Values[((long)k * N) + j]);
                    }
                }
            }

            return result;
        }
    }

    private sealed class SparseAssembly(int n) : Assembly(n)
    {
        private CsrBuilder? builder = new(n, n);
        private CsrMatrix? matrix;

        public override void Add(int i, int j, double value)
        {
            if (value == 0)
            {
                return; // adding zero changes no sum; the dense form's zeros are this form's absent entries
            }

            if (builder is null)
            {
                // Entries after a scaling: start again from what is built, in its order.
                builder = new CsrBuilder(N, N);
                for (int row = 0; row < N; row++)
                {
                    var columns = matrix!.RowColumns(row);
                    var values = matrix.RowValues(row);
                    for (int k = 0; k < columns.Length; k++) builder.Add(row, columns[k], values[k]);
                }

                matrix = null;
            }

            builder.Add(i, j, value);
        }

        public CsrMatrix ToCsr()
        {
            if (builder is not null)
            {
                matrix = builder.Build();
                builder = null;
            }

            return matrix!;
        }

        public override double MaxMagnitude()
        {
            double max = 0;
            foreach (double v in ToCsr().Values)
            {
                max = Math.Max(max, Math.Abs(v));
            }

            return max;
        }

        public override void Scale(double factor)
        {
            var a = ToCsr();
            var values = a.Values.ToArray(); // CsrMatrix copies its spans
            for (int k = 0; k < values.Length; k++)
            {
                values[k] *= factor;
            }

            matrix = new CsrMatrix(a.Rows, a.Columns, a.RowPointers, a.ColumnIndices, values);
        }

        /// <summary>Row i of the square: for each stored b_ik (columns ascending), b_ik times row k — the dense form's order.</summary>
        public override Assembly SquareOfSymmetricBanded(int bandwidth)
        {
            var b = ToCsr();
            var result = new SparseAssembly(N);
            for (int i = 0; i < N; i++)
            {
                var ks = b.RowColumns(i);
                var bi = b.RowValues(i);
                for (int t = 0; t < ks.Length; t++)
                {
                    var js = b.RowColumns(ks[t]);
                    var bk = b.RowValues(ks[t]);
                    for (int u = 0; u < js.Length; u++)
                    {
                        result.Add(i, js[u], bi[t] * bk[u]);
                    }
                }
            }

            return result;
        }
    }
}

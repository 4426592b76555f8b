using System.Numerics;
using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Structure;

namespace GenLu.Exact;

/// <summary>The error of a model on sampled rows: ‖rows of (L U − A)‖_F / ‖rows of A‖_F and the largest entry error.</summary>
/// <param name="Rows">How many rows were compared.</param>
/// <param name="RelativeFrobenius">‖R (L U − A)‖_F / ‖R A‖_F for the sampled rows R.</param>
/// <param name="MaxAbsolute">max |(L U − A)_ij| over the sampled rows.</param>
public sealed record SampledErrorEstimate(int Rows, double RelativeFrobenius, double MaxAbsolute);

/// <summary>The error of a model on random vectors: ‖(L U − A) G‖_F / ‖A G‖_F for Gaussian G.</summary>
/// <param name="Vectors">The columns of G.</param>
/// <param name="RelativeFrobenius">‖(L U − A) G‖_F / ‖A G‖_F; its expectation squared is ‖L U − A‖_F² / ‖A‖_F².</param>
public sealed record ProductErrorEstimate(int Vectors, double RelativeFrobenius);

/// <summary>
/// Measures a model against a matrix known by its entries without forming either: row i of L U is
/// <c>(L U)ᵀ e_i</c>, one transposed product (O(N · P)), and row i of A is N entries. Rows drawn uniformly at random
/// see every part of the matrix alike, so the relative Frobenius error of the sample estimates the whole one.
/// </summary>
public static class SampledError
{
    /// <summary>
    /// Compares <paramref name="model"/>'s <c>L U</c> (its product divided by its scale) with <paramref name="a"/> (the matrix
    /// as factored, already divided by the scale) on <paramref name="rows"/> rows drawn with <paramref name="seed"/>.
    /// </summary>
    public static SampledErrorEstimate Estimate(GfmmModel model, IMatrixEntries a, int rows = 64, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(a);
        int n = model.N;
        if (a.Order != n)
        {
            throw new ArgumentException($"The model has order {n}, the matrix {a.Order}.", nameof(a));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var sample = DistinctRows(n, Math.Min(rows, n), new Random(seed));
        return model.Dtype == GfmmDtype.Float64 ? Compare<double>(model, a, sample) : Compare<float>(model, a, sample);
    }

    /// <summary>
    /// Compares <paramref name="model"/>'s <c>L U</c> with an operator known only by its products (already divided by the
    /// scale) on <paramref name="vectors"/> Gaussian vectors: for Gaussian g, E ‖E g‖² = ‖E‖_F², so the ratio estimates the
    /// relative Frobenius error of the whole matrix from 2 · vectors products. The vectors are rounded to the model's
    /// number type first, so both products see the same input.
    /// </summary>
    public static ProductErrorEstimate EstimateByProducts(GfmmModel model, Solvers.ILinearOperator a, int vectors = 8, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(a);
        if (a.Order != model.N) throw new ArgumentException($"The model has order {model.N}, the operator {a.Order}.", nameof(a));
        ArgumentOutOfRangeException.ThrowIfLessThan(vectors, 1);
        return model.Dtype == GfmmDtype.Float64 ? CompareProducts<double>(model, a, vectors, seed) : CompareProducts<float>(model, a, vectors, seed);
    }

    private static ProductErrorEstimate CompareProducts<T>(GfmmModel model, Solvers.ILinearOperator a, int vectors, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = model.N;
        var random = new Random(seed);
        var input = new T[n];
        var product = new T[n];
        var wide = new double[n];
        var reference = new double[n];
        var workspace = model.CreateWorkspace();
        double difference = 0, norm = 0;
        for (int v = 0; v < vectors; v++)
        {
            GaussianSamples.Fill(wide, random);
            for (int i = 0; i < n; i++)
            {
                input[i] = T.CreateChecked(wide[i]);
                wide[i] = double.CreateChecked(input[i]);
            }

            model.Apply<T>(input, product, 1, workspace);
            a.Apply(wide, reference);
            for (int i = 0; i < n; i++)
            {
                double error = (double.CreateChecked(product[i]) / model.Scale) - reference[i];
                difference += error * error;
                norm += reference[i] * reference[i];
            }
        }

        return new ProductErrorEstimate(vectors, RelativeError(difference, norm));
    }

    /// <summary>√(Σ error² / Σ reference²); an exact zero against a zero reference is 0, any error against it is infinite.</summary>
    private static double RelativeError(double squaredError, double squaredReference) =>
        squaredReference == 0 ? (squaredError == 0 ? 0 : double.PositiveInfinity) : Math.Sqrt(squaredError / squaredReference);

    /// <summary>Vectors per product: one pass over the model's weights serves this many sampled rows.</summary>
    private const int Batch = 8;

    /// <summary>The batches of rows run on all cores (each its own vectors and workspace); their sums are added in batch
    /// order, so the estimate does not depend on the schedule.</summary>
    private static SampledErrorEstimate Compare<T>(GfmmModel model, IMatrixEntries a, int[] sample)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batches = (sample.Length + Batch - 1) / Batch;
        var sums = new (double Difference, double Reference, double Largest)[batches];
        Parallel.For(0, batches, () => new BatchBuffers<T>(model, Math.Min(Batch, sample.Length)), (b, _, buffers) =>
        {
            sums[b] = buffers.Compare(model, a, sample.AsSpan(b * Batch, Math.Min(Batch, sample.Length - (b * Batch))));
            return buffers;
        }, _ => { });
        double difference = 0, reference = 0, largest = 0;
        foreach (var sum in sums)
        {
            difference += sum.Difference;
            reference += sum.Reference;
            largest = Math.Max(largest, sum.Largest);
        }

        return new SampledErrorEstimate(sample.Length, RelativeError(difference, reference), largest);
    }

    /// <summary>One thread's unit vectors, products, matrix row and product workspace.</summary>
    private sealed class BatchBuffers<T>(GfmmModel model, int batch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] units = new T[(long)batch * model.N];
        private readonly T[] products = new T[(long)batch * model.N];
        private readonly double[] row = new double[model.N];
        private readonly int[] all = Enumerable.Range(0, model.N).ToArray();
        private readonly GfmmWorkspace workspace = model.CreateWorkspace(batch);

        /// <summary>Σ error², Σ entry² and max |error| over <paramref name="rows"/> (at most the batch).</summary>
        public (double Difference, double Reference, double Largest) Compare(GfmmModel model, IMatrixEntries a, ReadOnlySpan<int> rows)
        {
            // Row i of s L U is (s L U)ᵀ e_i, in the model's own number type: a batch of unit vectors, one product.
            int n = model.N, count = rows.Length;
            for (int v = 0; v < count; v++) units[((long)v * n) + rows[v]] = T.One;
            model.ApplyTranspose<T>(units.AsSpan(0, count * n), products.AsSpan(0, count * n), count, workspace);
            double difference = 0, reference = 0, largest = 0;
            for (int v = 0; v < count; v++)
            {
                int i = rows[v];
                units[((long)v * n) + i] = T.Zero;
                a.Block([i], all, row);
                var product = products.AsSpan(v * n, n);
                for (int j = 0; j < n; j++)
                {
                    double error = (double.CreateChecked(product[j]) / model.Scale) - row[j];
                    difference += error * error;
                    reference += row[j] * row[j];
                    largest = Math.Max(largest, Math.Abs(error));
                }
            }

            return (difference, reference, largest);
        }
    }

    /// <summary>
    /// <paramref name="count"/> distinct rows of 0 .. n − 1 drawn uniformly, ascending: draws with rejection while the sample is
    /// sparse (no O(n) work at N = 2²⁰), a partial Fisher–Yates shuffle when it covers more than half of the rows.
    /// </summary>
    private static int[] DistinctRows(int n, int count, Random random)
    {
        if (2L * count > n)
        {
            var order = new int[n];
            for (int j = 0; j < n; j++) order[j] = j;
            for (int j = 0; j < count; j++)
            {
                int pick = j + random.Next(n - j);
                (order[j], order[pick]) = (order[pick], order[j]);
            }

            var chosen = order[..count];
            Array.Sort(chosen);
            return chosen;
        }

        var drawn = new SortedSet<int>();
        while (drawn.Count < count) drawn.Add(random.Next(n));
        return [.. drawn];
    }
}

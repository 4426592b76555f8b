using GenLu.Gfmm;
using GenLu.Operators;
using GenLu.Structure;

namespace GenLu.Exact;

/// <summary>The error of a model on sampled rows: ‖rows of (L U − A)‖_F / ‖rows of A‖_F and the largest entry error.</summary>
/// <param name="Rows">How many rows were compared.</param>
/// <param name="RelativeFrobenius">‖R (L U − A)‖_F / ‖R A‖_F for the sampled rows R.</param>
/// <param name="MaxAbsolute">max |(L U − A)_ij| over the sampled rows.</param>
public sealed record SampledErrorEstimate(int Rows, double RelativeFrobenius, double MaxAbsolute);

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
        var random = new Random(seed);
        bool inDouble = model.Dtype == GfmmDtype.Float64;
        var unit = new double[n];
        var unitSingle = inDouble ? [] : new float[n];
        var product = new double[n];
        var productSingle = inDouble ? [] : new float[n];
        var row = new double[n];
        var workspace = model.CreateWorkspace();
        var all = Enumerable.Range(0, n).ToArray();
        double difference = 0, reference = 0, largest = 0;
        int count = Math.Min(rows, n);
        foreach (int i in Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(count))
        {
            // Row i of s L U is (s L U)ᵀ e_i, in the model's own number type.
            if (inDouble)
            {
                unit[i] = 1;
                model.ApplyTranspose(unit, product, workspace);
                unit[i] = 0;
            }
            else
            {
                unitSingle[i] = 1;
                model.ApplyTranspose(unitSingle, productSingle, workspace);
                unitSingle[i] = 0;
                for (int j = 0; j < n; j++) product[j] = productSingle[j];
            }

            a.Block([i], all, row);
            for (int j = 0; j < n; j++)
            {
                double error = (product[j] / model.Scale) - row[j];
                difference += error * error;
                reference += row[j] * row[j];
                largest = Math.Max(largest, Math.Abs(error));
            }
        }

        return new SampledErrorEstimate(count, reference == 0 ? (difference == 0 ? 0 : double.PositiveInfinity) : Math.Sqrt(difference / reference), largest);
    }
}

using System.Numerics;

namespace GenLu.Gfmm;

/// <summary>A product over node-major data, used to extract dense matrices column chunk by column chunk.</summary>
internal delegate void NodeMajorProduct<T>(ReadOnlySpan<T> x, Span<T> y, int count, GfmmNodeBuffers<T> buffers)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>Dense extraction: apply a structured operator to the identity, a chunk of columns at a time.</summary>
internal static class GfmmDense
{
    private const int ColumnsPerChunk = 64;

    public static double[] Widen<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var wide = new double[values.Length];
        for (int i = 0; i < values.Length; i++) wide[i] = double.CreateChecked(values[i]);
        return wide;
    }

    /// <summary>The leading <paramref name="order"/> x <paramref name="order"/> block (row-major) of the M·P x M·P
    /// matrix of <paramref name="product"/> (all of it when <paramref name="order"/> is null). A node-major batch of
    /// columns j0 … j0+c-1 is the M·P x c slice of the identity, and the product's node-major output is exactly those
    /// columns of the matrix.</summary>
    public static double[] Columns(int m, int p, NodeMajorProduct<double> product, int? order = null)
    {
        int padded = m * p, n = order ?? padded;
        int chunk = Math.Min(n, ColumnsPerChunk);
        var buffers = new GfmmNodeBuffers<double>(m, p, chunk);
        var identityColumns = new double[padded * chunk];
        var matrixColumns = new double[padded * chunk];
        var dense = new double[(long)n * n];
        for (int first = 0; first < n; first += chunk)
        {
            int count = Math.Min(chunk, n - first);
            Span<double> x = identityColumns.AsSpan(0, padded * count), y = matrixColumns.AsSpan(0, padded * count);
            x.Clear();
            for (int v = 0; v < count; v++) x[(first + v) * count + v] = 1;
            product(x, y, count, buffers);
            for (int row = 0; row < n; row++)
                y.Slice(row * count, count).CopyTo(dense.AsSpan(row * n + first, count));
        }
        return dense;
    }
}

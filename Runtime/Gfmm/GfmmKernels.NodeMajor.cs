using System.Numerics;
using GenLu.Kernels;

namespace GenLu.Gfmm;

/// <summary>The transposes between the batch layout of the public spans and the node-major panels, and the final scaling.</summary>
internal static partial class GfmmKernels
{
    /// <summary>Batch layout ([count, n], vector after vector) to node-major ([paddedN, count]), rows n … paddedN-1 zero.</summary>
    public static void ToNodeMajor<T>(ReadOnlySpan<T> batch, Span<T> nodeMajor, int n, int paddedN, int count)
    {
        for (int v = 0; v < count; v++)
        {
            ReadOnlySpan<T> vector = batch.Slice(v * n, n);
            for (int i = 0; i < vector.Length; i++) nodeMajor[i * count + v] = vector[i];
        }
        nodeMajor.Slice(n * count, (paddedN - n) * count).Clear();
    }

    /// <summary>The first n rows of node-major data ([≥ n, count]) back to batch layout, multiplying every value by <paramref name="factor"/>.</summary>
    public static void FromNodeMajor<T>(ReadOnlySpan<T> nodeMajor, Span<T> batch, int n, int count, T factor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int v = 0; v < count; v++)
        {
            Span<T> vector = batch.Slice(v * n, n);
            for (int i = 0; i < vector.Length; i++) vector[i] = nodeMajor[i * count + v] * factor;
        }
    }

    /// <summary>Multiplies every entry by <paramref name="factor"/> (skipped when it is 1).</summary>
    public static void Scale<T>(Span<T> values, T factor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (factor == T.One) return;
        Level1.Scale(factor, values);
    }
}

using System.Numerics;

namespace GenLu.Exact;

/// <summary>The vectorised level-1 loops shared by the block LU and the SVD (Vector&lt;double&gt; body, scalar tail).</summary>
internal static class VectorKernels
{
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var accumulator = Vector<double>.Zero;
            for (; i <= x.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                accumulator += new Vector<double>(x[i..]) * new Vector<double>(y[i..]);
            }

            sum = Vector.Sum(accumulator);
        }

        for (; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>target -= factor * source.</summary>
    public static void SubtractScaled(Span<double> target, double factor, ReadOnlySpan<double> source)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var f = new Vector<double>(factor);
            for (; i <= target.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                (new Vector<double>(target[i..]) - (f * new Vector<double>(source[i..]))).CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] -= factor * source[i];
        }
    }

    /// <summary>
    /// target -= f0 s0 + f1 s1 + f2 s2 + f3 s3: four updates per pass, so the target is loaded and stored once for four
    /// multiply-adds (the inner loop of the Schur complement update).
    /// </summary>
    public static void SubtractScaled4(
        Span<double> target,
        double f0, ReadOnlySpan<double> s0,
        double f1, ReadOnlySpan<double> s1,
        double f2, ReadOnlySpan<double> s2,
        double f3, ReadOnlySpan<double> s3)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var (v0, v1, v2, v3) = (new Vector<double>(f0), new Vector<double>(f1), new Vector<double>(f2), new Vector<double>(f3));
            for (; i <= target.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                var sum = (v0 * new Vector<double>(s0[i..])) + (v1 * new Vector<double>(s1[i..]))
                    + (v2 * new Vector<double>(s2[i..])) + (v3 * new Vector<double>(s3[i..]));
                (new Vector<double>(target[i..]) - sum).CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] -= (f0 * s0[i]) + (f1 * s1[i]) + (f2 * s2[i]) + (f3 * s3[i]);
        }
    }
}

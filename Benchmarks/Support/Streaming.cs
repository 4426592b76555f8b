using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GenLu.Benchmarks.Support;

/// <summary>A read-only streaming kernel: the fastest way to touch every byte of an array once.</summary>
internal static class Streaming
{
    /// <summary>Sum of all values, with four independent vector accumulators so the loads, not the adds, set the pace.</summary>
    public static float Sum(ReadOnlySpan<float> values)
    {
        int width = Vector512<float>.Count, i = 0;
        ref float start = ref MemoryMarshal.GetReference(values);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        // The loop bound keeps every load inside the span.
        for (; i <= values.Length - (4 * width); i += 4 * width)
        {
            s0 += Vector512.LoadUnsafe(ref start, (nuint)i);
            s1 += Vector512.LoadUnsafe(ref start, (nuint)(i + width));
            s2 += Vector512.LoadUnsafe(ref start, (nuint)(i + (2 * width)));
            s3 += Vector512.LoadUnsafe(ref start, (nuint)(i + (3 * width)));
        }
        float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        for (; i < values.Length; i++)
            sum += values[i];
        return sum;
    }
}

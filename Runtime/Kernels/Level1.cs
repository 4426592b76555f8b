using System.Numerics;
using System.Numerics.Tensors;

namespace GenLu.Kernels;

/// <summary>
/// BLAS level-1 operations on contiguous spans, for float and double, through
/// <see cref="TensorPrimitives"/> (vectorized on x64 and Arm64 alike). The one place the Runtime computes a
/// dot product, norm, axpy or scaling of a contiguous vector; strided and pointer kernels live beside it.
/// Lengths are checked by the callers' public entry points: here x and y have equal lengths.
/// </summary>
internal static class Level1
{
    /// <summary><c>xᵀ y</c>.</summary>
    public static T Dot<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Dot(x, y);

    /// <summary><c>‖x‖₂</c>, without overflow or underflow for finite x.</summary>
    public static T Norm2<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T largest = MaxMagnitude(x);
        if (largest == T.Zero || !T.IsFinite(largest)) return largest;
        // The squares overflowed or underflowed when the result falls outside [max |x_i|, ∞): scale, then square.
        T norm = TensorPrimitives.Norm(x);
        if (T.IsFinite(norm) && norm >= largest) return norm;
        T sum = T.Zero;
        foreach (T value in x)
        {
            T scaled = value / largest;
            sum += scaled * scaled;
        }
        return largest * T.Sqrt(sum);
    }

    /// <summary><c>‖x − y‖₂</c>, the Euclidean distance.</summary>
    public static T Distance<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Distance(x, y);

    /// <summary><c>max |x_i|</c> (NaN if any entry is NaN), zero for an empty span.</summary>
    public static T MaxMagnitude<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        x.IsEmpty ? T.Zero : T.Abs(TensorPrimitives.MaxMagnitude(x));

    /// <summary><c>y += alpha x</c>.</summary>
    public static void Axpy<T>(T alpha, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.MultiplyAdd(x, alpha, y, y);

    /// <summary><c>x *= alpha</c>.</summary>
    public static void Scale<T>(T alpha, Span<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Multiply(x, alpha, x);

    /// <summary><c>y -= x</c>.</summary>
    public static void Subtract<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Subtract(y, x, y);

    /// <summary>Whether every entry is finite (neither NaN nor infinite).</summary>
    public static bool AllFinite<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsFinite(MaxMagnitude(x));
}

using System.Numerics;
using System.Runtime.Intrinsics;

namespace GenLu.Kernels;

/// <summary>
/// Level-1 kernels on pointer vectors with strides (BLAS incx / incy), generic over float and double: the
/// lines of a <see cref="StridedMatrix{T}"/> that the LU, the triangular solves and the GFMM panel kernels
/// sweep. Unit-stride calls take the Vector512 → Vector256 → Vector128 → scalar ladder, each rung on what the
/// wider one left, so the Vector128 rung also serves the tails on x64 and is the main loop on Arm64; strided
/// calls are scalar. Contiguous spans go through <see cref="Level1"/> instead. The caller keeps memory pinned.
/// </summary>
internal static unsafe class StridedLevel1<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>y += alpha * x.</summary>
    public static void Axpy(T alpha, T* x, nint incX, T* y, nint incY, nint count)
    {
        if (incX != 1 || incY != 1)
        {
            for (nint i = 0; i < count; i++)
                y[i * incY] = T.FusedMultiplyAdd(alpha, x[i * incX], y[i * incY]);
            return;
        }

        nint k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var a = Vector512.Create(alpha);
            for (; k <= count - Vector512<T>.Count; k += Vector512<T>.Count)
                Vector512.Store(Simd.Fma(a, Vector512.Load(x + k), Vector512.Load(y + k)), y + k);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.Create(alpha);
            for (; k <= count - Vector256<T>.Count; k += Vector256<T>.Count)
                Vector256.Store(Simd.Fma(a, Vector256.Load(x + k), Vector256.Load(y + k)), y + k);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            var a = Vector128.Create(alpha);
            for (; k <= count - Vector128<T>.Count; k += Vector128<T>.Count)
                Vector128.Store(Simd.Fma(a, Vector128.Load(x + k), Vector128.Load(y + k)), y + k);
        }

        for (; k < count; k++)
            y[k] = T.FusedMultiplyAdd(alpha, x[k], y[k]);
    }

    /// <summary>
    /// y += a0 x0 + a1 x1 + a2 x2 + a3 x3 for four contiguous columns x_k = x + k * ldx: one pass over
    /// y for four columns, so a substitution streams the matrix instead of re-reading y per column.
    /// </summary>
    public static void Axpy4(T a0, T a1, T a2, T a3, T* x, nint ldx, T* y, nint count)
    {
        T* x1 = x + ldx, x2 = x + (2 * ldx), x3 = x + (3 * ldx);
        nint k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<T> v0 = Vector512.Create(a0), v1 = Vector512.Create(a1), v2 = Vector512.Create(a2), v3 = Vector512.Create(a3);
            for (; k <= count - Vector512<T>.Count; k += Vector512<T>.Count)
            {
                var sum = Simd.Fma(v0, Vector512.Load(x + k), Vector512.Load(y + k));
                sum = Simd.Fma(v1, Vector512.Load(x1 + k), sum);
                sum = Simd.Fma(v2, Vector512.Load(x2 + k), sum);
                Vector512.Store(Simd.Fma(v3, Vector512.Load(x3 + k), sum), y + k);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<T> v0 = Vector256.Create(a0), v1 = Vector256.Create(a1), v2 = Vector256.Create(a2), v3 = Vector256.Create(a3);
            for (; k <= count - Vector256<T>.Count; k += Vector256<T>.Count)
            {
                var sum = Simd.Fma(v0, Vector256.Load(x + k), Vector256.Load(y + k));
                sum = Simd.Fma(v1, Vector256.Load(x1 + k), sum);
                sum = Simd.Fma(v2, Vector256.Load(x2 + k), sum);
                Vector256.Store(Simd.Fma(v3, Vector256.Load(x3 + k), sum), y + k);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<T> v0 = Vector128.Create(a0), v1 = Vector128.Create(a1), v2 = Vector128.Create(a2), v3 = Vector128.Create(a3);
            for (; k <= count - Vector128<T>.Count; k += Vector128<T>.Count)
            {
                var sum = Simd.Fma(v0, Vector128.Load(x + k), Vector128.Load(y + k));
                sum = Simd.Fma(v1, Vector128.Load(x1 + k), sum);
                sum = Simd.Fma(v2, Vector128.Load(x2 + k), sum);
                Vector128.Store(Simd.Fma(v3, Vector128.Load(x3 + k), sum), y + k);
            }
        }

        for (; k < count; k++)
            y[k] = T.FusedMultiplyAdd(a3, x3[k], T.FusedMultiplyAdd(a2, x2[k], T.FusedMultiplyAdd(a1, x1[k], T.FusedMultiplyAdd(a0, x[k], y[k]))));
    }

    /// <summary>Sum of x[i] * y[i].</summary>
    public static T Dot(T* x, nint incX, T* y, nint incY, nint count)
    {
        T sum = T.Zero;
        nint k = 0;
        if (incX == 1 && incY == 1)
        {
            if (Vector512.IsHardwareAccelerated && count >= Vector512<T>.Count)
            {
                var acc = Vector512<T>.Zero;
                for (; k <= count - Vector512<T>.Count; k += Vector512<T>.Count)
                    acc = Simd.Fma(Vector512.Load(x + k), Vector512.Load(y + k), acc);
                sum = Vector512.Sum(acc);
            }

            if (Vector256.IsHardwareAccelerated && count - k >= Vector256<T>.Count)
            {
                var acc = Vector256<T>.Zero;
                for (; k <= count - Vector256<T>.Count; k += Vector256<T>.Count)
                    acc = Simd.Fma(Vector256.Load(x + k), Vector256.Load(y + k), acc);
                sum += Vector256.Sum(acc);
            }

            if (Vector128.IsHardwareAccelerated && count - k >= Vector128<T>.Count)
            {
                var acc = Vector128<T>.Zero;
                for (; k <= count - Vector128<T>.Count; k += Vector128<T>.Count)
                    acc = Simd.Fma(Vector128.Load(x + k), Vector128.Load(y + k), acc);
                sum += Vector128.Sum(acc);
            }
        }

        for (; k < count; k++)
            sum = T.FusedMultiplyAdd(x[k * incX], y[k * incY], sum);
        return sum;
    }

    /// <summary>The plane rotation (x, y) ← (c x − s y, s x + c y) (BLAS rot with the sign of s flipped).</summary>
    public static void Rotate(T* x, nint incX, T* y, nint incY, nint count, T c, T s)
    {
        nint k = 0;
        if (incX == 1 && incY == 1)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<T> vc = Vector512.Create(c), vs = Vector512.Create(s);
                for (; k <= count - Vector512<T>.Count; k += Vector512<T>.Count)
                {
                    var xk = Vector512.Load(x + k);
                    var yk = Vector512.Load(y + k);
                    Vector512.Store((vc * xk) - (vs * yk), x + k);
                    Vector512.Store((vs * xk) + (vc * yk), y + k);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<T> vc = Vector256.Create(c), vs = Vector256.Create(s);
                for (; k <= count - Vector256<T>.Count; k += Vector256<T>.Count)
                {
                    var xk = Vector256.Load(x + k);
                    var yk = Vector256.Load(y + k);
                    Vector256.Store((vc * xk) - (vs * yk), x + k);
                    Vector256.Store((vs * xk) + (vc * yk), y + k);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                Vector128<T> vc = Vector128.Create(c), vs = Vector128.Create(s);
                for (; k <= count - Vector128<T>.Count; k += Vector128<T>.Count)
                {
                    var xk = Vector128.Load(x + k);
                    var yk = Vector128.Load(y + k);
                    Vector128.Store((vc * xk) - (vs * yk), x + k);
                    Vector128.Store((vs * xk) + (vc * yk), y + k);
                }
            }
        }

        for (; k < count; k++)
        {
            T xk = x[k * incX], yk = y[k * incY];
            x[k * incX] = (c * xk) - (s * yk);
            y[k * incY] = (s * xk) + (c * yk);
        }
    }

    /// <summary>x *= alpha.</summary>
    public static void Scale(T alpha, T* x, nint incX, nint count)
    {
        nint k = 0;
        if (incX == 1)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                var a = Vector512.Create(alpha);
                for (; k <= count - Vector512<T>.Count; k += Vector512<T>.Count)
                    Vector512.Store(Vector512.Load(x + k) * a, x + k);
            }

            if (Vector256.IsHardwareAccelerated)
            {
                var a = Vector256.Create(alpha);
                for (; k <= count - Vector256<T>.Count; k += Vector256<T>.Count)
                    Vector256.Store(Vector256.Load(x + k) * a, x + k);
            }

            if (Vector128.IsHardwareAccelerated)
            {
                var a = Vector128.Create(alpha);
                for (; k <= count - Vector128<T>.Count; k += Vector128<T>.Count)
                    Vector128.Store(Vector128.Load(x + k) * a, x + k);
            }
        }

        for (; k < count; k++)
            x[k * incX] *= alpha;
    }

    /// <summary>x /= divisor, element by element (used when 1 / divisor would overflow).</summary>
    public static void Divide(T divisor, T* x, nint incX, nint count)
    {
        for (nint k = 0; k < count; k++)
            x[k * incX] /= divisor;
    }

    /// <summary>Exchanges x and y.</summary>
    public static void Swap(T* x, nint incX, T* y, nint incY, nint count)
    {
        nint k = 0;
        if (incX == 1 && incY == 1)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; k <= count - Vector512<T>.Count; k += Vector512<T>.Count)
                {
                    var vx = Vector512.Load(x + k);
                    Vector512.Store(Vector512.Load(y + k), x + k);
                    Vector512.Store(vx, y + k);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; k <= count - Vector256<T>.Count; k += Vector256<T>.Count)
                {
                    var vx = Vector256.Load(x + k);
                    Vector256.Store(Vector256.Load(y + k), x + k);
                    Vector256.Store(vx, y + k);
                }
            }

            if (Vector128.IsHardwareAccelerated)
            {
                for (; k <= count - Vector128<T>.Count; k += Vector128<T>.Count)
                {
                    var vx = Vector128.Load(x + k);
                    Vector128.Store(Vector128.Load(y + k), x + k);
                    Vector128.Store(vx, y + k);
                }
            }
        }

        for (; k < count; k++)
            (x[k * incX], y[k * incY]) = (y[k * incY], x[k * incX]);
    }

    /// <summary>Index of the first NaN or infinity among the count contiguous entries of x, or -1.</summary>
    public static nint IndexOfNonFinite(T* x, nint count)
    {
        // x * 0 is 0 for finite x and NaN for NaN or +-infinity, so a clean vector sum stays exactly 0; on the
        // first poisoned vector the scalar loop restarts from 0 to find the index.
        nint k = 0;
        bool poisoned = false;
        if (Vector512.IsHardwareAccelerated)
        {
            var poison = Vector512<T>.Zero;
            for (; k <= count - Vector512<T>.Count; k += Vector512<T>.Count)
                poison += Vector512.Load(x + k) * Vector512<T>.Zero;
            poisoned |= poison != Vector512<T>.Zero;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var poison = Vector256<T>.Zero;
            for (; k <= count - Vector256<T>.Count; k += Vector256<T>.Count)
                poison += Vector256.Load(x + k) * Vector256<T>.Zero;
            poisoned |= poison != Vector256<T>.Zero;
        }

        if (Vector128.IsHardwareAccelerated)
        {
            var poison = Vector128<T>.Zero;
            for (; k <= count - Vector128<T>.Count; k += Vector128<T>.Count)
                poison += Vector128.Load(x + k) * Vector128<T>.Zero;
            poisoned |= poison != Vector128<T>.Zero;
        }

        if (poisoned)
            k = 0;
        for (; k < count; k++)
        {
            if (!T.IsFinite(x[k]))
                return k;
        }

        return -1;
    }

    /// <summary>Index of the first entry of largest magnitude (LAPACK i?amax, zero-based).</summary>
    public static nint IndexOfMaxMagnitude(T* x, nint incX, nint count)
    {
        nint best = 0;
        T bestMagnitude = T.Abs(x[0]);
        for (nint k = 1; k < count; k++)
        {
            T magnitude = T.Abs(x[k * incX]);
            if (magnitude > bestMagnitude)
            {
                bestMagnitude = magnitude;
                best = k;
            }
        }

        return best;
    }
}

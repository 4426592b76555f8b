using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GenLu.Kernels;

/// <summary>The vector widths of the kernel ladder (Vector512 → Vector256 → Vector128; scalar below).</summary>
internal enum SimdWidth
{
    /// <summary>128-bit vectors: SSE on old x64, AdvSimd (Neon) on Arm64.</summary>
    Vector128 = 128,

    /// <summary>256-bit vectors: AVX2.</summary>
    Vector256 = 256,

    /// <summary>512-bit vectors: AVX-512.</summary>
    Vector512 = 512,
}

/// <summary>Fused multiply-add on generic vectors and the widest accelerated width: the JIT keeps only the branch for T.</summary>
internal static class Simd
{
    /// <summary>
    /// The widest accelerated vector width of this machine; Vector128 also when nothing is accelerated (its
    /// software fallback is still correct, only slow).
    /// </summary>
    public static SimdWidth Widest { get; } =
        Vector512.IsHardwareAccelerated ? SimdWidth.Vector512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256
        : SimdWidth.Vector128;

    /// <summary>a * b + c with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return (a * b) + c;
    }

    /// <summary>a * b + c with one rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return (a * b) + c;
    }

    /// <summary>a * b + c with one rounding (AdvSimd fmla on Arm64, vfmadd on x64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Fma<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (typeof(T) == typeof(double))
            return Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        if (typeof(T) == typeof(float))
            return Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        return (a * b) + c;
    }

    /// <summary>a * b + c with one rounding, on <see cref="Vector{T}"/> (the panel kernels' width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Fma<T>(Vector<T> a, Vector<T> b, Vector<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return (Vector<T>)(object)Vector.FusedMultiplyAdd((Vector<float>)(object)a, (Vector<float>)(object)b, (Vector<float>)(object)c);
        if (typeof(T) == typeof(double))
            return (Vector<T>)(object)Vector.FusedMultiplyAdd((Vector<double>)(object)a, (Vector<double>)(object)b, (Vector<double>)(object)c);
        return a * b + c;
    }
}

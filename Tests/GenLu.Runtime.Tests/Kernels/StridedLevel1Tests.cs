using System.Numerics;
using GenLu.Kernels;

namespace GenLu.Tests.Kernels;

/// <summary>
/// The pointer kernels against naive double loops. The lengths step through every rung of the
/// Vector512 → Vector256 → Vector128 → scalar ladder (each rung runs on what the wider one left), so the
/// Vector128 rung is exercised on x64 too: e.g. 14 doubles = 8 + 4 + 2, 29 floats = 16 + 8 + 4 + 1.
/// </summary>
public sealed unsafe class StridedLevel1Tests
{
    public static TheoryData<int, int> LengthsAndStrides()
    {
        var data = new TheoryData<int, int>();
        foreach (int length in new[] { 0, 1, 2, 3, 5, 6, 7, 14, 15, 29, 31, 64, 103 })
        {
            data.Add(length, 1);
            data.Add(length, 3);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LengthsAndStrides))]
    public void AxpyDotScaleRotateAndSwapMatchNaiveLoopsInDouble(int length, int stride)
    {
        Check<double>(length, stride);
        Check<float>(length, stride);
    }

    [Theory]
    [MemberData(nameof(LengthsAndStrides))]
    public void Axpy4AddsFourScaledColumnsInOnePass(int length, int columnGap)
    {
        CheckAxpy4<double>(length, length + columnGap);
        CheckAxpy4<float>(length, length + columnGap);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(14, 13)]
    [InlineData(29, 28)]
    [InlineData(29, 17)]
    [InlineData(103, 0)]
    [InlineData(103, 101)]
    public void IndexOfNonFiniteFindsTheFirstNaNOrInfinityOnEveryRung(int length, int poisoned)
    {
        var x = KernelReference.Random<double>(length, seed: length);
        var y = KernelReference.Random<float>(length, seed: length);
        fixed (double* xp = x)
        fixed (float* yp = y)
        {
            StridedLevel1<double>.IndexOfNonFinite(xp, length).ShouldBe(-1);
            StridedLevel1<float>.IndexOfNonFinite(yp, length).ShouldBe(-1);
            x[poisoned] = double.NaN;
            y[poisoned] = float.NegativeInfinity;
            if (poisoned + 1 < length)
            {
                x[length - 1] = double.PositiveInfinity;
                y[length - 1] = float.NaN;
            }

            StridedLevel1<double>.IndexOfNonFinite(xp, length).ShouldBe(poisoned);
            StridedLevel1<float>.IndexOfNonFinite(yp, length).ShouldBe(poisoned);
        }
    }

    [Fact]
    public void IndexOfMaxMagnitudeTakesTheFirstOfEqualMagnitudesAlongAStride()
    {
        double[] x = [1, 99, -5, 99, 5, 99, -5];
        fixed (double* xp = x)
        {
            StridedLevel1<double>.IndexOfMaxMagnitude(xp, 2, 4).ShouldBe(1); // entries 1, -5, 5, -5
            StridedLevel1<double>.IndexOfMaxMagnitude(xp, 1, 7).ShouldBe(1);
        }
    }

    private static void Check<T>(int length, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int span = Math.Max(1, ((length - 1) * stride) + 1);
        var x = KernelReference.Random<T>(span, seed: 10 + length);
        var y = KernelReference.Random<T>(span, seed: 20 + length);
        var x0 = KernelReference.Widen(x);
        var y0 = KernelReference.Widen(y);
        double alpha = 0.75;
        double tolerance = KernelReference.Tolerance<T>(length, 1);
        fixed (T* xp = x)
        fixed (T* yp = y)
        {
            double dot = 0;
            for (int i = 0; i < length; i++) dot += x0[i * stride] * y0[i * stride];
            double.CreateChecked(StridedLevel1<T>.Dot(xp, stride, yp, stride, length)).ShouldBe(dot, tolerance);

            StridedLevel1<T>.Axpy(T.CreateChecked(alpha), xp, stride, yp, stride, length);
            for (int i = 0; i < span; i++)
            {
                double expected = i % stride == 0 && i / stride < length ? y0[i] + (alpha * x0[i]) : y0[i];
                double.CreateChecked(y[i]).ShouldBe(expected, tolerance, $"axpy entry {i}");
            }

            StridedLevel1<T>.Scale(T.CreateChecked(-2), xp, stride, length);
            for (int i = 0; i < span; i++)
            {
                double expected = i % stride == 0 && i / stride < length ? -2 * x0[i] : x0[i];
                double.CreateChecked(x[i]).ShouldBe(expected, $"scale entry {i}");
            }

            var xRotated = KernelReference.Widen(x);
            var yRotated = KernelReference.Widen(y);
            double c = 0.6, s = 0.8;
            StridedLevel1<T>.Rotate(xp, stride, yp, stride, length, T.CreateChecked(c), T.CreateChecked(s));
            for (int i = 0; i < span; i++)
            {
                bool touched = i % stride == 0 && i / stride < length;
                double.CreateChecked(x[i]).ShouldBe(touched ? (c * xRotated[i]) - (s * yRotated[i]) : xRotated[i], tolerance, $"rotate x entry {i}");
                double.CreateChecked(y[i]).ShouldBe(touched ? (s * xRotated[i]) + (c * yRotated[i]) : yRotated[i], tolerance, $"rotate y entry {i}");
            }

            var xBefore = (T[])x.Clone();
            var yBefore = (T[])y.Clone();
            StridedLevel1<T>.Swap(xp, stride, yp, stride, length);
            for (int i = 0; i < span; i++)
            {
                bool touched = i % stride == 0 && i / stride < length;
                x[i].ShouldBe(touched ? yBefore[i] : xBefore[i]);
                y[i].ShouldBe(touched ? xBefore[i] : yBefore[i]);
            }
        }
    }

    private static void CheckAxpy4<T>(int length, int ldx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = KernelReference.Random<T>((3 * ldx) + length + 1, seed: 30 + length);
        var y = KernelReference.Random<T>(length + 1, seed: 40 + length);
        var x0 = KernelReference.Widen(x);
        var y0 = KernelReference.Widen(y);
        double[] a = [0.5, -1.25, 2, -0.375];
        fixed (T* xp = x)
        fixed (T* yp = y)
        {
            StridedLevel1<T>.Axpy4(T.CreateChecked(a[0]), T.CreateChecked(a[1]), T.CreateChecked(a[2]), T.CreateChecked(a[3]), xp, ldx, yp, length);
        }

        for (int i = 0; i < length; i++)
        {
            double expected = y0[i] + (a[0] * x0[i]) + (a[1] * x0[ldx + i]) + (a[2] * x0[(2 * ldx) + i]) + (a[3] * x0[(3 * ldx) + i]);
            double.CreateChecked(y[i]).ShouldBe(expected, KernelReference.Tolerance<T>(4, 4), $"entry {i}");
        }

        y[length].ShouldBe(T.CreateChecked(y0[length]), "the entry after the end is not touched");
    }
}

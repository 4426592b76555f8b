using GenLu.Kernels;

namespace GenLu.Tests.Kernels;

public sealed class Level1Tests
{
    [Fact]
    public void DotAxpyScaleAndSubtractMatchHandComputedValues()
    {
        double[] x = [1, 2, 3, 4, 5];
        double[] y = [5, 4, 3, 2, 1];

        Level1.Dot<double>(x, y).ShouldBe(35);   // 5 + 8 + 9 + 8 + 5
        Level1.Axpy(2.0, x, y);
        y.ShouldBe([7.0, 8, 9, 10, 11]);
        Level1.Subtract<double>(x, y);
        y.ShouldBe([6.0, 6, 6, 6, 6]);
        float[] z = [2, 4];
        Level1.Scale(0.5f, z);
        z.ShouldBe([1f, 2f]);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e200)]   // squares overflow double
    [InlineData(1e-200)]  // squares underflow double
    public void Norm2IsExactForAThreeFourFiveTriangleAtAnyMagnitude(double magnitude)
    {
        double[] v = [3 * magnitude, -4 * magnitude];
        (Level1.Norm2<double>(v) / (5 * magnitude)).ShouldBe(1.0, 1e-15);
    }

    [Fact]
    public void Norm2OfFloatsBeyondTheSquareRangeStaysFinite()
    {
        float[] v = [3e30f, 4e30f];
        (Level1.Norm2<float>(v) / 5e30f).ShouldBe(1f, 1e-6f);
        Level1.Norm2<float>([]).ShouldBe(0f);
    }

    [Fact]
    public void AllFiniteSeesNaNAndInfinity()
    {
        Level1.AllFinite<double>([1, 2, 3]).ShouldBeTrue();
        Level1.AllFinite<double>([]).ShouldBeTrue();
        Level1.AllFinite<double>([1, double.NaN]).ShouldBeFalse();
        Level1.AllFinite<float>([float.NegativeInfinity, 0]).ShouldBeFalse();
        Level1.MaxMagnitude<double>([1, -7, 3]).ShouldBe(7);
    }
}

using System.Numerics;

namespace GenLu.Tests.Kernels;

/// <summary>Seeded test data and the tolerance of a float or double result against a double reference.</summary>
internal static class KernelReference
{
    public static T[] Random<T>(int length, int seed, double amplitude = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var values = new T[length];
        for (int i = 0; i < length; i++)
            values[i] = T.CreateChecked(amplitude * (2 * random.NextDouble() - 1));
        return values;
    }

    public static double[] Widen<T>(T[] values)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        values.Select(double.CreateChecked).ToArray();

    /// <summary>The spacing of T at 1 (2^-23 for float, 2^-52 for double).</summary>
    public static double MachineEpsilon<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        double.CreateChecked(T.BitIncrement(T.One) - T.One);

    /// <summary>Rounding allowance for a sum of <paramref name="terms"/> products of magnitude up to <paramref name="scale"/>.</summary>
    public static double Tolerance<T>(int terms, double scale)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        4 * (terms + 1) * scale * MachineEpsilon<T>();
}

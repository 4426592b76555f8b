namespace GenLu.Exact;

/// <summary>Standard normal numbers for the randomized estimators and samplers, from a seeded <see cref="Random"/>.</summary>
internal static class GaussianSamples
{
    /// <summary>Fills <paramref name="destination"/> with independent standard normal numbers (Box–Muller: two per pair of uniforms).</summary>
    public static void Fill(Span<double> destination, Random random)
    {
        for (int i = 0; i < destination.Length; i += 2)
        {
            double radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())), angle = 2 * Math.PI * random.NextDouble();
            destination[i] = radius * Math.Cos(angle);
            if (i + 1 < destination.Length) destination[i + 1] = radius * Math.Sin(angle);
        }
    }
}

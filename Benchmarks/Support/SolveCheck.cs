namespace GenLu.Benchmarks.Support;

/// <summary>
/// Guards a benchmark against timing the wrong work: before measuring, each solver's answer is compared
/// with the structured solve of the same system (the dense matrix is s·L·U exactly, so every correct
/// solver agrees up to float round-off of a well-conditioned system).
/// </summary>
internal static class SolveCheck
{
    private const double Tolerance = 1e-3;

    public static void Agree(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string solver)
    {
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            difference += d * d;
            norm += (double)expected[i] * expected[i];
        }
        double relative = Math.Sqrt(difference / norm);
        if (!(relative <= Tolerance))
            throw new InvalidOperationException($"{solver} disagrees with the structured solve: relative difference {relative:E2} > {Tolerance:E0}.");
    }
}

namespace GenLu.Gfmm;

/// <summary>The one place where product and solve arguments are validated (before any fast loop runs).</summary>
internal static class GfmmArguments
{
    /// <summary>Checks a call over <paramref name="count"/> vectors of length <paramref name="n"/>:
    /// span lengths, the count, the workspace's shape and capacity, and that output does not overlap input.</summary>
    public static void CheckBatch(int n, ReadOnlySpan<float> x, Span<float> y, int count, GfmmWorkspace workspace, int m, int p,
        string inputName = "x", string outputName = "y")
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "The number of vectors must be >= 1.");
        long expected = (long)n * count;
        if (x.Length != expected)
            throw new ArgumentException($"Expected {count} vector(s) of length N = {n} ({expected} values), but the input has {x.Length}.", inputName);
        if (y.Length != expected)
            throw new ArgumentException($"Expected room for {count} vector(s) of length N = {n} ({expected} values), but the output has {y.Length}.", outputName);
        if (x.Overlaps(y))
            throw new ArgumentException("The output must not overlap the input.", outputName);
        workspace.Check(m, p, count, nameof(workspace));
    }
}

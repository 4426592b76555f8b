using System.Numerics;
using GenLu.Structure;

namespace GenLu.Gfmm;

/// <summary>The one place where product and solve arguments are validated (before any fast loop runs).</summary>
internal static class GfmmArguments
{
    /// <summary>
    /// Checks a call over <paramref name="count"/> vectors of length <paramref name="n"/> against the span rules
    /// every GFMM product and solve shares (the generated code's too): <paramref name="count"/> ≥ 0 (0 is a no-op),
    /// both spans hold exactly <c>count · n</c> values, the output is either the input itself (in place) or does not
    /// overlap it, and the workspace has the operation's shape and number type (any batch capacity: larger batches run in chunks).
    /// </summary>
    public static void CheckBatch<T>(int n, ReadOnlySpan<T> x, Span<T> y, int count, GfmmWorkspace workspace, int m, int p,
        string inputName = "x", string outputName = "y")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(workspace);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "The number of vectors must be >= 0.");
        long expected = (long)n * count;
        if (x.Length != expected)
            throw new ArgumentException($"Expected {count} vector(s) of length N = {n} ({expected} values), but the input has {x.Length}.", inputName);
        if (y.Length != expected)
            throw new ArgumentException($"Expected room for {count} vector(s) of length N = {n} ({expected} values), but the output has {y.Length}.", outputName);
        if (x.Overlaps(y, out int offset) && offset != 0)
            throw new ArgumentException("The output partially overlaps the input; pass the same span to work in place, or separate spans.", outputName);
        workspace.Check<T>(m, p, nameof(workspace));
    }

    /// <summary>Throws unless vectors of <typeparamref name="T"/> are the ones a <paramref name="owner"/> of <paramref name="dtype"/>
    /// works on (float for float32, double for float64).</summary>
    public static void CheckDtype<T>(GfmmDtype dtype, string owner, string parameterName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (ScalarDtype<T>() != dtype)
            throw new ArgumentException($"The {owner} is {GfmmDtypes.Name(dtype)}: its vectors are {(dtype == GfmmDtype.Float64 ? "double" : "float")}, not {typeof(T).Name}.", parameterName);
    }

    /// <summary>The dtype of vectors of <typeparamref name="T"/>.</summary>
    public static GfmmDtype ScalarDtype<T>() =>
        typeof(T) == typeof(float) ? GfmmDtype.Float32
        : typeof(T) == typeof(double) ? GfmmDtype.Float64
        : throw new NotSupportedException($"GFMM vectors are float or double, not {typeof(T).Name}.");
}

using System;
using System.Globalization;
using System.Threading;
using GenLu.Generator.Model;
using Microsoft.CodeAnalysis;
using GenLu.Format;
using GenLu.Structure;

namespace GenLu.Generator.Parsing;

/// <summary>Reads one <c>*.gfmm.json</c> AdditionalFiles item with the shared <see cref="GfmmFile"/> reader and
/// factors its diagonal blocks. Every failure becomes a <see cref="WeightFileProblem"/>; nothing is thrown.</summary>
internal static class WeightFileParser
{
    public const string Extension = ".gfmm.json";

    public static bool IsWeightFile(string path) => path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase);

    public static WeightFile Parse(AdditionalText file, CancellationToken cancellationToken)
    {
        string path = PathMatcher.Normalize(file.Path);
        var text = file.GetText(cancellationToken);
        if (text is null)
            return Failed(path, Diagnostics.MalformedWeightFile, "the compiler could not read the file.");
        try
        {
            return FromContent(path, GfmmFile.Parse(text.ToString()));
        }
        catch (GfmmFormatException e)
        {
            return Failed(path, Diagnostics.ForFormatError(e.Error), e.Field + ": " + Detail(e));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The shared reader reports every defect it knows as GfmmFormatException; anything else (an overflow
            // on an old compiler host, say) is still a malformed file, never a generator crash.
            return Failed(path, Diagnostics.MalformedWeightFile, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>Factors every G_i of L and U; a singular one becomes GLU008 naming the block.</summary>
    internal static WeightFile FromContent(string path, GfmmFileContent content)
    {
        var lowerLayout = new GfmmLayout(GfmmKind.Lower, content.M, content.P);
        var upperLayout = new GfmmLayout(GfmmKind.Upper, content.M, content.P);
        var problem = Factor("L", lowerLayout, content.Lower, out var lowerFactors, out var lowerPivots);
        if (problem is not null) return new WeightFile(path, null, problem);
        problem = Factor("U", upperLayout, content.Upper, out var upperFactors, out var upperPivots);
        if (problem is not null) return new WeightFile(path, null, problem);
        return new WeightFile(path, new WeightContent(
            content.M, content.P, content.Scale, content.Sha256,
            new EquatableArray<float>(content.Lower), new EquatableArray<float>(content.Upper),
            new EquatableArray<float>(lowerFactors!), new EquatableArray<float>(upperFactors!),
            new EquatableArray<int>(lowerPivots!), new EquatableArray<int>(upperPivots!)), null);
    }

    private static WeightFileProblem? Factor(string factorName, GfmmLayout layout, float[] weights, out float[]? factors, out int[]? pivots)
    {
        int p = layout.P, size = p * p;
        factors = new float[layout.M * size];
        pivots = new int[layout.M * p];
        var block = new double[size];
        for (int i = 0; i < layout.M; i++)
        {
            int start = layout.Diagonal(i) * size;
            for (int k = 0; k < size; k++) block[k] = weights[start + k];
            int info = SmallLu.Factor(block, 0, p, pivots, i * p);
            string? why = SmallLu.IsUsable(block, 0, p, info) ? null
                : info != 0 ? "an exactly zero pivot in column " + Invariant(info - 1) + " of its LU factorization with partial pivoting"
                : "its LU factors overflow to a non-finite value";
            for (int k = 0; k < size; k++)
            {
                factors[i * size + k] = (float)block[k];
                if (why is null && float.IsInfinity(factors[i * size + k])) why = "its LU factors overflow float";
            }
            // The solves multiply by the float reciprocals of U's diagonal (see DataEmitter), so those must be finite too.
            for (int k = 0; k < p && why is null; k++)
                if (float.IsInfinity(1f / factors[i * size + k * p + k]))
                    why = "U's diagonal entry " + Invariant(k) + " of its LU factors has no finite float reciprocal";
            if (why is not null)
            {
                factors = null;
                pivots = null;
                return new WeightFileProblem(Diagnostics.SingularDiagonalBlock.Id, new EquatableArray<string>(
                    [Invariant(i), factorName, factorName + "." + layout.TensorName(layout.Diagonal(i)), why]));
            }
        }
        return null;
    }

    private static WeightFile Failed(string path, DiagnosticDescriptor descriptor, string detail) =>
        new(path, null, new WeightFileProblem(descriptor.Id, new EquatableArray<string>([detail])));

    /// <summary>The exception's message without its generic prefix and field (the diagnostic adds its own).</summary>
    private static string Detail(GfmmFormatException e)
    {
        string prefix = "Invalid GFMM weight file: " + e.Field + ": ";
        return e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message.Substring(prefix.Length) : e.Message;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

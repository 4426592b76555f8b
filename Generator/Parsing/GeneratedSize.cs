using System.Globalization;
using GenLu.Structure;

namespace GenLu.Generator.Parsing;

/// <summary>
/// How large a generated solver gets, from M and P alone, and the documented limits (docs/generator.md). The
/// estimate is an upper bound measured on the emitters: about 3 characters per embedded byte (each float as
/// <c>0x3F800000,</c>), at most 1.8 KB per leaf for each of the 8 unrolled schedules, and 0.4 M characters of
/// P-specialized kernels (at P = 32 the 16-vector lane sweep's P² multiply-adds are 0.07 M of it). M = 4096, P = 1
/// embeds only 0.4 MB but generates 44.5 M characters of schedule code (77 s and 4.3 GB in the compiler), which is why
/// the schedules count as much as the data.
/// </summary>
internal static class GeneratedSize
{
    /// <summary>GLU010 (a warning) above this much embedded data (4 MiB).</summary>
    public const long WarningEmbeddedBytes = 4L << 20;

    /// <summary>GLU010 (a warning) above this much estimated source (12 M characters, what 4 MiB of data makes).</summary>
    public const long WarningSourceCharacters = 12_000_000;

    /// <summary>GLU011 (an error, nothing generated) above this much estimated source: 40 M characters, a
    /// compile of about a minute and several GB. M = 128, P = 32 (30 M) is still generated; M = 256, P = 32 and
    /// M = 4096, P = 1 are not.</summary>
    public const long MaxSourceCharacters = 40_000_000;

    private const long CharactersPerLeafAndSchedule = 1_800;
    private const int Schedules = 8;
    private const long KernelCharacters = 400_000;

    /// <summary>Bytes the generated class embeds for a model of this shape with every tensor present: both
    /// factors' weights, each G_i's factors as two padded P x P triangles, the reciprocals of its diagonal (numbers of
    /// <paramref name="numberBytes"/> bytes: 4 for float, 8 for double) and its int32 pivots. Null when M and P do not
    /// make a valid layout (the file reader then says why).</summary>
    public static long? EmbeddedBytes(int m, int p, int numberBytes = 4)
    {
        GfmmLayout lower, upper;
        try
        {
            lower = new GfmmLayout(GfmmKind.Lower, m, p);
            upper = new GfmmLayout(GfmmKind.Upper, m, p);
        }
        catch (System.ArgumentOutOfRangeException)
        {
            return null;
        }
        long perBlock = (long)m * p;
        return numberBytes * ((long)lower.WeightCount + upper.WeightCount + 4 * perBlock * p + 2 * perBlock) + 4 * 2 * perBlock;
    }

    /// <summary>Estimated characters of generated source for M leaves and this much embedded data, printed as
    /// literals (every unrolled schedule, or the step tables of looped ones, count about the same per leaf).</summary>
    public static long SourceCharacters(int m, long embeddedBytes) =>
        3 * embeddedBytes + Schedules * CharactersPerLeafAndSchedule * m + KernelCharacters;

    /// <summary>The same for a model whose data (and step tables) the build step put in a resource: only straight-line
    /// schedules still grow with M, and looped ones not at all.</summary>
    public static long SourceCharacters(int m, long embeddedBytes, bool literalData, bool looped) =>
        literalData ? SourceCharacters(m, embeddedBytes) : (looped ? 0 : Schedules * CharactersPerLeafAndSchedule * m) + KernelCharacters;

    public static string Megabytes(long characters) =>
        (characters / 1e6).ToString("F1", CultureInfo.InvariantCulture);
}

using System.IO.Compression;

namespace GenLu.IO;

/// <summary>
/// Reads and writes NumPy <c>.npz</c> archives: a zip file with one <c>NAME.npy</c> entry per array, as
/// <c>numpy.savez</c> (stored) and <c>numpy.savez_compressed</c> (deflated) write them. Each entry is read by
/// <see cref="NpyFile.ReadArray(Stream, string)"/> with its rules (rank 0–2, float32/float64/int64/int32, finite
/// values); entries are decompressed as a stream, so storage grows with the data actually inflated, never with a size
/// the archive merely declares. Archives are written stored (uncompressed) with a fixed timestamp, so the same arrays
/// give the same bytes.
/// </summary>
public static class NpzArchive
{
    private const string EntrySuffix = ".npy";

    /// <summary>The zip entries' timestamp (the earliest a zip file can record), so that writing is deterministic.</summary>
    private static readonly DateTimeOffset FixedTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Reads every array of the archive at <paramref name="path"/>, by name (the entry name without <c>.npy</c>).</summary>
    /// <exception cref="MatrixFormatException">The file is not a zip archive, an entry is not a <c>.npy</c> file, two
    /// entries have the same name, or an array is malformed.</exception>
    public static IReadOnlyDictionary<string, NdArray> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads every array of the archive in <paramref name="stream"/> (seekable, as zip archives need), by name.</summary>
    /// <exception cref="MatrixFormatException">As for <see cref="Read(string)"/>.</exception>
    public static IReadOnlyDictionary<string, NdArray> Read(Stream stream, string source = ".npz input")
    {
        ArgumentNullException.ThrowIfNull(stream);
        var arrays = new SortedDictionary<string, NdArray>(StringComparer.Ordinal);
        try
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var entry in archive.Entries)
            {
                string where = $"{source}, entry '{entry.FullName}'";
                if (!entry.FullName.EndsWith(EntrySuffix, StringComparison.Ordinal) || entry.FullName.Length == EntrySuffix.Length)
                    throw new MatrixFormatException($"{where}: an .npz archive holds only NAME.npy entries.");
                string name = entry.FullName[..^EntrySuffix.Length];
                if (arrays.ContainsKey(name))
                    throw new MatrixFormatException($"{where}: the archive holds two arrays named '{name}'.");
                using var content = entry.Open();
                arrays.Add(name, NpyFile.ReadArray(content, where));
            }
        }
        catch (InvalidDataException e)
        {
            // A damaged or non-zip file (bad signatures, a corrupt deflate stream, sizes that disagree).
            throw new MatrixFormatException($"{source}: not a valid .npz (zip) archive: {e.Message}", e);
        }

        if (arrays.Count == 0) throw new MatrixFormatException($"{source}: the archive holds no arrays.");
        return arrays;
    }

    /// <summary>Writes <paramref name="arrays"/> as an .npz archive at <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated, or not a plain file name.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NdArray>> arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var list = CheckNames(arrays);
        MatrixFiles.WriteAtomically(path, stream => WriteCore(stream, list));
    }

    /// <summary>Writes <paramref name="arrays"/> as an .npz archive to <paramref name="stream"/>, which is left open.</summary>
    /// <exception cref="ArgumentException">A name is empty, repeated, or not a plain file name.</exception>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, NdArray>> arrays)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(arrays);
        WriteCore(stream, CheckNames(arrays));
    }

    private static void WriteCore(Stream stream, List<KeyValuePair<string, NdArray>> arrays)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, array) in arrays)
        {
            var entry = archive.CreateEntry(name + EntrySuffix, CompressionLevel.NoCompression);
            entry.LastWriteTime = FixedTimestamp;
            using var content = entry.Open();
            NpyFile.WriteArray(content, array);
        }
    }

    private static List<KeyValuePair<string, NdArray>> CheckNames(IEnumerable<KeyValuePair<string, NdArray>> arrays)
    {
        var list = arrays.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, array) in list)
        {
            ArgumentNullException.ThrowIfNull(array, nameof(arrays));
            if (string.IsNullOrEmpty(name) || name.Contains('/') || name.Contains('\\'))
                throw new ArgumentException($"'{name}' is not a valid array name (non-empty, no path separators).", nameof(arrays));
            if (!seen.Add(name)) throw new ArgumentException($"Two arrays are named '{name}'.", nameof(arrays));
        }

        return list;
    }
}

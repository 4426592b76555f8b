using System.Buffers.Binary;
using System.Runtime.InteropServices;
using GenLu.Format;
using GenLu.Generator.Embedding;
using GenLu.Structure;

namespace GenLu.Generator.Embed;

/// <summary>
/// Turns one weight file into the binary resource and the manifest the generated code and the generator read
/// (<see cref="EmbeddedResourceFormat"/>, <see cref="EmbeddedModelManifest"/>): the shared reader validates the file,
/// <see cref="DiagonalBlockFactors"/> factors every G_i, <see cref="EmbeddedDataLayout"/> lays the data out and the
/// shared <see cref="ExecutionPlan"/>s become the step tables. A file that is rejected gets a manifest naming its
/// problem and no resource; the build goes on (only an attribute that names the file turns it into an error).
/// </summary>
internal static class EmbeddedResourceWriter
{
    /// <summary>Builds the manifest for <paramref name="content"/> and writes its resource to <paramref name="output"/>.</summary>
    /// <typeparam name="T">The file's number type (float32 files as float, float64 as double): the resource holds it unrounded.</typeparam>
    public static EmbeddedModelManifest Write<T>(GfmmFileContent<T> content, string source, string resourceName, Stream output)
        where T : unmanaged, IEquatable<T>
    {
        var lower = DiagonalBlockFactors<T>.TryCreate(content.Lower, out var failure);
        var upper = lower is null ? null : DiagonalBlockFactors<T>.TryCreate(content.Upper, out failure);
        if (lower is null || upper is null)
            return Problem(source, WeightFileProblems.SingularBlockId, failure!.Message);

        int m = content.M, p = content.P, size = p * p;
        var lowerLayout = content.Lower.Layout;
        var upperLayout = content.Upper.Layout;
        var lowerStored = Stored(content.Lower);
        var upperStored = Stored(content.Upper);
        int lowerWeights = content.Lower.Values.Length;
        var lowerOffsets = EmbeddedDataLayout.TensorOffsets(lowerLayout, t => lowerStored[t], 0);
        var upperOffsets = EmbeddedDataLayout.TensorOffsets(upperLayout, t => upperStored[t], lowerWeights);
        var sparsity = SparsePatterns.Find<T>(m, p, EmbeddedDataLayout.StoredIndices(lowerStored), content.Lower.Values, EmbeddedDataLayout.StoredIndices(upperStored), content.Upper.Values,
            lower.FactorsTransposed, lower.Pivots, upper.FactorsTransposed, upper.Pivots);
        var plans = EmbeddedDataLayout.Plans(lowerLayout, upperLayout, t => lowerStored[t], t => upperStored[t]);
        var tables = plans.Select(plan => plan.Layout.Kind == GfmmKind.Lower
            ? EmbeddedDataLayout.StepTable(plan, t => lowerOffsets[t], 0, sparsity)
            : EmbeddedDataLayout.StepTable(plan, t => upperOffsets[t], m, sparsity)).ToArray();

        long weights = (long)lowerWeights + content.Upper.Values.Length;
        if (weights > int.MaxValue / 2)
            return Problem(source, WeightFileProblems.MalformedId, $"the model stores {weights:N0} weights; a resource holds at most {int.MaxValue / 2:N0}.");
        var header = EmbeddedResourceFormat.Header(m, p, content.N, (int)weights, 2 * 2 * m * size, 2 * m * p, 2 * m * p, tables, content.Lower.Dtype);
        int numberBytes = EmbeddedResourceFormat.NumberBytes(header);

        Span<byte> headerBytes = stackalloc byte[EmbeddedResourceFormat.DataOffset];
        for (int i = 0; i < header.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(headerBytes.Slice(4 * i), header[i]);
        for (int i = 0; i < EmbeddedResourceFormat.ChecksumBytes; i++) headerBytes[4 * header.Length + i] = (byte)content.Sha256[i];
        output.Write(headerBytes);

        // Tensor by tensor (factor by factor for the G_i), so the writer's memory stays one tensor beyond the model's.
        var buffer = new T[2 * size];
        WriteTransposed(output, content.Lower.Values, EmbeddedDataLayout.StoredPositions(lowerOffsets, 0, size), p, buffer, numberBytes);
        WriteTransposed(output, content.Upper.Values, EmbeddedDataLayout.StoredPositions(upperOffsets, lowerWeights, size), p, buffer, numberBytes);
        WriteTriangles(output, lower.FactorsTransposed, p, buffer, numberBytes);
        WriteTriangles(output, upper.FactorsTransposed, p, buffer, numberBytes);
        WriteWords(output, MemoryMarshal.AsBytes(lower.InverseDiagonal.AsSpan()), numberBytes);
        WriteWords(output, MemoryMarshal.AsBytes(upper.InverseDiagonal.AsSpan()), numberBytes);
        WriteWords(output, MemoryMarshal.AsBytes(lower.Pivots.AsSpan()), 4);
        WriteWords(output, MemoryMarshal.AsBytes(upper.Pivots.AsSpan()), 4);
        foreach (var table in tables) WriteWords(output, MemoryMarshal.AsBytes(table.AsSpan()), 4);

        var (sign, logAbs) = DiagonalBlockFactors<T>.LogDeterminant(lower, upper, content.N, content.Scale);
        return new EmbeddedModelManifest
        {
            Source = source,
            ResourceName = resourceName,
            M = m,
            P = p,
            N = content.N,
            Scale = content.Scale,
            Sha256 = content.Sha256,
            DeterminantSign = sign,
            LogAbsDeterminant = logAbs,
            LowerStored = lowerStored,
            UpperStored = upperStored,
            Header = header,
            Sparsity = sparsity,
        };
    }

    public static EmbeddedModelManifest Problem(string source, string id, string detail) =>
        new() { Source = source, ProblemId = id, ProblemDetail = detail };

    private static bool[] Stored<T>(GfmmTensorStore<T> store)
        where T : unmanaged, IEquatable<T>
    {
        var stored = new bool[store.Layout.TensorCount];
        for (int t = 0; t < stored.Length; t++) stored[t] = store.IsStored(t);
        return stored;
    }

    /// <summary>The stored tensors (ascending, row-major) in the embedded order, each transposed.</summary>
    private static void WriteTransposed<T>(Stream output, T[] rowMajor, int[] storedPositions, int p, T[] buffer, int numberBytes)
        where T : unmanaged
    {
        int size = p * p;
        foreach (int position in storedPositions)
        {
            EmbeddedDataLayout.Transpose<T>(rowMajor.AsSpan(position * size, size), p, buffer);
            WriteWords(output, MemoryMarshal.AsBytes(buffer.AsSpan(0, size)), numberBytes);
        }
    }

    private static void WriteTriangles<T>(Stream output, T[] factorsColumnMajor, int p, T[] buffer, int numberBytes)
        where T : unmanaged
    {
        int size = p * p;
        for (int start = 0; start < factorsColumnMajor.Length; start += size)
        {
            EmbeddedDataLayout.SplitTriangles<T>(factorsColumnMajor.AsSpan(start, size), p, buffer);
            WriteWords(output, MemoryMarshal.AsBytes(buffer.AsSpan()), numberBytes);
        }
    }

    /// <summary>Writes words of <paramref name="wordBytes"/> bytes (4 or 8) little-endian (the resource's byte order) whatever the machine's.</summary>
    private static void WriteWords(Stream output, ReadOnlySpan<byte> words, int wordBytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            output.Write(words);
            return;
        }
        var swapped = words.ToArray();
        for (int i = 0; i < swapped.Length; i += wordBytes) Array.Reverse(swapped, i, wordBytes);
        output.Write(swapped);
    }
}

using System.Globalization;
using System.Linq;
using GenLu.Generator.Embedding;
using GenLu.Generator.Model;

namespace GenLu.Generator.Emit;

/// <summary>
/// The data of a model the build step embedded as a manifest resource (<see cref="EmbeddedResourceFormat"/>): the
/// same spans the literal form has (<see cref="DataEmitter"/>), read in place from the loaded image. The nested
/// <c>EmbeddedData</c> class finds the resource at first use (its type initializer), compares every header word and
/// the weights' checksum with the constants the generator took from the build step's manifest, and keeps a pointer
/// to the data: no copy, no allocation per call, no file I/O beyond the manifest resource. Its fields are private and
/// read-only; a missing or mismatched resource makes every call throw <c>InvalidDataException</c> naming the problem.
/// </summary>
internal static class ResourceDataEmitter
{
    public static void Emit(CodeWriter writer, SolverTarget target, WeightContent content, ResourceData resource, bool looped, ElementType element)
    {
        string t = element.Keyword;
        var header = resource.Header;
        int weights = header[EmbeddedResourceFormat.WeightsWord], factors = header[EmbeddedResourceFormat.FactorsWord];
        int inverse = header[EmbeddedResourceFormat.InverseDiagonalsWord], pivots = header[EmbeddedResourceFormat.PivotsWord];
        int steps = header[EmbeddedResourceFormat.StepsWord];
        long length = EmbeddedResourceFormat.Length(header.AsSpan().ToArray());
        // The pivots and step tables follow the numbers; their offsets count ints from the start of the data.
        int intsBefore = (weights + factors + inverse) * (element.ByteSize / 4);

        writer.Lines($$"""
            /// <summary>L's stored (non-zero) tensors, then U's, in GfmmLayout order; each P x P tensor column-major (transposed).</summary>
            private static {{element.ReadOnlySpan}} Weights => EmbeddedData.{{element.CapitalizedPlural}}(0, {{I(weights)}});

            /// <summary>Per diagonal block G_i: the strictly lower part of its unit-lower LU factor, then the strictly upper part of U,
            /// each column-major P x P with zeros elsewhere.</summary>
            private static {{element.ReadOnlySpan}} Factors => EmbeddedData.{{element.CapitalizedPlural}}({{I(weights)}}, {{I(factors)}});

            /// <summary>The {{t}} reciprocals of U's diagonal of every G_i's LU factors, P per block.</summary>
            private static {{element.ReadOnlySpan}} InverseDiagonals => EmbeddedData.{{element.CapitalizedPlural}}({{I(weights + factors)}}, {{I(inverse)}});

            /// <summary>Zero-based LAPACK pivots of the factors above, P per block.</summary>
            private static global::System.ReadOnlySpan<int> Pivots => EmbeddedData.Ints({{I(intsBefore)}}, {{I(pivots)}});

            """);
        if (looped)
        {
            writer.Line("/// <summary>The eight plans' step tables, one after another (see RunSteps).</summary>");
            writer.Line($"private static global::System.ReadOnlySpan<int> Steps => EmbeddedData.Ints({I(intsBefore + pivots)}, {I(steps)});");
            writer.Line();
            DataEmitter.EmitStepTableIndex(writer, Enumerable.Range(0, EmbeddedDataLayout.PlanMethodNames.Length)
                .Select(i => header[EmbeddedResourceFormat.PlanLengthsWord + i]).ToArray());
        }

        writer.Lines($$"""
            /// <summary>The manifest resource <c>{{resource.Name}}</c> written by the GenLu build step, read in place.</summary>
            private static unsafe class EmbeddedData
            {
                private const string ResourceName = "{{resource.Name}}";
                private const long ResourceLength = {{length.ToString(CultureInfo.InvariantCulture)}};

                /// <summary>The first {{t}} of the data, or null when the resource is missing or does not match this code.</summary>
                private static readonly byte* data;

                /// <summary>Why <see cref="data"/> is null.</summary>
                private static readonly string? problem;

                static EmbeddedData() => data = Open(out problem);

                public static {{element.ReadOnlySpan}} {{element.CapitalizedPlural}}(int offset, int length) =>
                    data != null ? new {{element.ReadOnlySpan}}(({{t}}*)data + offset, length) : throw Failure();

                public static global::System.ReadOnlySpan<int> Ints(int offset, int length) =>
                    data != null ? new global::System.ReadOnlySpan<int>((int*)data + offset, length) : throw Failure();

                private static global::System.Exception Failure() => new global::System.IO.InvalidDataException(
                    $"The GFMM data of {{target.FullName}} (manifest resource '{ResourceName}' of {typeof(EmbeddedData).Assembly.GetName().Name}) cannot be used: {problem} " +
                    "The generated code and the resource come from one build of the weight file; rebuild the project with the GenLu.Generator package's build step (GenLu.Generator.targets).");

                private static byte* Open(out string? problem)
                {
                    var stream = typeof(EmbeddedData).Assembly.GetManifestResourceStream(ResourceName);
                    if (stream is null)
                    {
                        problem = "the assembly holds no such resource.";
                        return null;
                    }
                    if (stream is not global::System.IO.UnmanagedMemoryStream image)
                    {
                        problem = $"the resource is a {stream.GetType().Name}, not memory of the loaded image.";
                        return null;
                    }
                    if (image.Length != ResourceLength)
                    {
                        problem = $"it holds {image.Length} bytes, but this code was generated for {ResourceLength}.";
                        return null;
                    }
                    byte* start = image.PositionPointer;
                    global::System.ReadOnlySpan<int> expected = [{{string.Join(", ", header.AsSpan().ToArray().Select(I))}}];
                    for (int i = 0; i < expected.Length; i++)
                    {
                        int word = global::System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(new global::System.ReadOnlySpan<byte>(start + 4 * i, 4));
                        if (word != expected[i])
                        {
                            problem = $"header word {i} is {word}, but this code was generated for {expected[i]}" +
                                (global::System.BitConverter.IsLittleEndian ? "." : " (the data is little-endian and this machine is not).");
                            return null;
                        }
                    }
                    var checksum = new global::System.ReadOnlySpan<byte>(start + {{I(4 * EmbeddedResourceFormat.HeaderWords)}}, {{I(EmbeddedResourceFormat.ChecksumBytes)}});
                    for (int i = 0; i < WeightsSha256.Length; i++)
                        if (checksum[i] != WeightsSha256[i])
                        {
                            problem = $"its weights' SHA-256 is {(global::System.Text.Encoding.ASCII.GetString(checksum))}, but this code was generated for {WeightsSha256}.";
                            return null;
                        }
                    problem = null;
                    return start + {{I(EmbeddedResourceFormat.DataOffset)}};
                }
            }
            """);
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
